import { ApiError, IStreamEvent } from '../api';
import { IWorkerStatus } from '../status';
import {
  IBlockVerdict,
  IDiagnosis,
  parseBlocks,
  parseDiagnosis
} from './verdicts';

/** A citation as the server sends it (a search result). */
export interface ICitation {
  title: string;
  heading?: string;
  url: string;
}

/** One message of the conversation shown in the panel. */
export interface IChatMessage {
  role: 'user' | 'assistant';
  text: string;
  citations?: ICitation[];
  /** The server's verdict on each Python block of the answer (from `done`). */
  blocks?: IBlockVerdict[];
  /** What the rules found before the model wrote (explain answers only). */
  diagnosis?: IDiagnosis;
  /** Set while the answer streams; cleared when it ends. */
  streaming?: boolean;
  /** Why the answer ended early, if it did (stopped, failed). */
  note?: string;
}

/** An explain request for a failing cell (the body of `/ibis-copilot/explain`). */
export interface IErrorReport {
  code: string;
  error_type: string;
  message: string;
  traceback: string;
}

/** What survives a page reload. */
export interface IChatState {
  conversationId: string | null;
  messages: IChatMessage[];
}

/** A new, empty conversation. */
export function emptyState(): IChatState {
  return { conversationId: null, messages: [] };
}

/** The citation's link text: "Title > Heading". */
export function citationLabel(citation: ICitation): string {
  return [citation.title, citation.heading].filter(Boolean).join(' > ');
}

/** A saved state, or the empty one when it is missing or malformed. */
export function restoreState(saved: unknown): IChatState {
  const value = saved as Partial<IChatState> | null | undefined;
  if (!value || !Array.isArray(value.messages)) {
    return emptyState();
  }
  const messages = value.messages
    .filter(
      (m: IChatMessage) =>
        (m?.role === 'user' || m?.role === 'assistant') &&
        typeof m.text === 'string'
    )
    .map((m: IChatMessage) => restoreMessage(m));
  return {
    conversationId:
      typeof value.conversationId === 'string' ? value.conversationId : null,
    messages
  };
}

/** A saved message as it is shown again (verdicts re-read, streaming ended). */
function restoreMessage(saved: IChatMessage): IChatMessage {
  const message = { ...saved };
  if (message.streaming) {
    message.streaming = false;
    message.note = message.note ?? 'interrupted by a reload';
  }
  if (message.blocks !== undefined) {
    message.blocks = parseBlocks(message.blocks);
  }
  if (message.diagnosis !== undefined) {
    message.diagnosis = parseDiagnosis(message.diagnosis);
  }
  return message;
}

/** Put a streamed event into the answer it belongs to. */
export function applyEvent(message: IChatMessage, event: IStreamEvent): void {
  if (event.type === 'token') {
    message.text += event.text ?? '';
  } else if (event.type === 'diagnosis') {
    message.diagnosis = parseDiagnosis(event);
  } else if (event.type === 'done') {
    message.citations = (event.citations as ICitation[]) ?? [];
    if (Array.isArray(event.blocks)) {
      message.blocks = parseBlocks(event.blocks);
    }
    const warnings = Array.isArray(event.warnings)
      ? event.warnings.filter((w: unknown) => typeof w === 'string')
      : [];
    if (warnings.length) {
      message.note = `Note: ${warnings.join('; ')}.`;
    }
  } else if (event.type === 'error') {
    message.note = `The model failed: ${event.error?.message ?? 'unknown error'}`;
  }
}

/** What the panel's status line says about a failed request. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return `Something went wrong: ${String(error)}`;
  }
  if (error.status === 404) {
    return (
      'The ibis-copilot server extension is missing: pip install "ibis-copilot[server]" ' +
      "in the Jupyter server's environment and restart JupyterLab."
    );
  }
  if (error.status === 429) {
    const wait = error.retryAfter ? ` in ${error.retryAfter} s` : ' shortly';
    return `The assistant is busy with other requests; try again${wait}.`;
  }
  if (error.status === 503) {
    return `The model is not available: ${error.message}`;
  }
  if (error.status === 0) {
    return `The server cannot be reached: ${error.message}`;
  }
  return error.message;
}

/** The model part of `/ibis-copilot/status`. */
export interface IModelStatus {
  state: string;
  name?: string | null;
  /** When loading started (seconds since the epoch). */
  since?: number;
  message?: string;
  worker?: IWorkerStatus;
}

/** What the status line says about the model, from `/ibis-copilot/status`. */
export function describeModel(
  model: IModelStatus,
  nowSeconds: number
): { busy: boolean; text: string } {
  if (model.state === 'loading') {
    const waited = model.since
      ? ` (${Math.max(0, Math.round(nowSeconds - model.since))} s)`
      : '';
    return {
      busy: true,
      text: `Loading the model ${model.name ?? ''}…${waited}`
    };
  }
  if (model.state === 'restarting') {
    const what = model.worker?.last_exit?.what;
    return {
      busy: true,
      text: `The model worker stopped${what ? ` (${what})` : ''}; restarting…`
    };
  }
  if (model.state === 'error') {
    return {
      busy: false,
      text: `The model failed to load: ${model.message ?? 'unknown error'}`
    };
  }
  if (model.state === 'not loaded') {
    return { busy: false, text: 'The model loads on the first question.' };
  }
  return { busy: false, text: '' };
}
