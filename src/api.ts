import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * Every request to the ibis-copilot server extension (`/ibis-copilot/*`): JSON answers
 * (`requestAPI`) and NDJSON streams (`streamAPI`), with one error parser (`errorOf`).
 * Authentication (token, XSRF) comes from the JupyterLab server connection.
 */

/** Prefix of every ibis-copilot server endpoint. */
export const API_NAMESPACE = 'ibis-copilot';

/** An error answered by the server extension, or the lack of one (status 0). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
    /** Seconds the server asked to wait before retrying (429's Retry-After). */
    public retryAfter?: number
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * One event of a streamed answer: `token`s, then `done` or `error` (explain sends a
 * `diagnosis` first).
 */
export interface IStreamEvent {
  type: 'token' | 'done' | 'error' | 'diagnosis';
  text?: string;
  error?: { type: string; message: string };
  [key: string]: unknown;
}

/**
 * The ApiError for a server's error answer (4xx/5xx). The server writes
 * `{"error": {"type", "message"}}`; Jupyter's own handlers write `{"message"}`; anything
 * else (HTML, nothing) falls back to the HTTP status line. A 429's Retry-After is kept.
 */
export function parseError(
  status: number,
  statusText: string,
  body: string,
  retryAfter: string | null = null
): ApiError {
  let parsed: any = null;
  try {
    parsed = body ? JSON.parse(body) : null;
  } catch {
    parsed = null;
  }
  const detail = typeof parsed?.error === 'object' ? parsed.error : {};
  const message =
    stringOr(detail?.message) ??
    stringOr(parsed?.message) ??
    `${status} ${statusText}`.trim();
  return new ApiError(
    message,
    status,
    stringOr(detail?.type) ?? 'HTTPError',
    retrySeconds(retryAfter)
  );
}

/** A server error answer as an ApiError (reads the body). */
export async function errorOf(response: Response): Promise<ApiError> {
  const body = await response.text().catch(() => '');
  return parseError(
    response.status,
    response.statusText,
    body,
    response.headers.get('Retry-After')
  );
}

/** Call an ibis-copilot endpoint and parse its JSON answer. */
export async function requestAPI<T>(
  endpoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const response = await send(endpoint, init, settings);
  if (!response.ok) {
    throw await errorOf(response);
  }
  const text = await response.text();
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    throw new ApiError(
      `the server answered something other than JSON: ${text.slice(0, 80)}`,
      response.status,
      'InvalidResponse'
    );
  }
}

/**
 * POST `body` (with `stream: true`) to an ibis-copilot endpoint and call `onEvent` for
 * each NDJSON event. Aborting `signal` closes the connection (the server then cancels
 * the generation) and ends the call quietly.
 */
export async function streamAPI(
  endpoint: string,
  body: object,
  onEvent: (event: IStreamEvent) => void,
  signal?: AbortSignal,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<void> {
  const init: RequestInit = {
    method: 'POST',
    body: JSON.stringify({ ...body, stream: true }),
    signal
  };
  let response: Response;
  try {
    response = await send(endpoint, init, settings);
  } catch (error) {
    if (signal?.aborted) {
      return;
    }
    throw error;
  }
  if (!response.ok) {
    throw await errorOf(response);
  }
  const reader = response.body?.getReader();
  if (!reader) {
    throw new ApiError('the server sent no stream', response.status, 'Error');
  }
  const parser = new NdjsonParser();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      parser.push(decoder.decode(value, { stream: true })).forEach(onEvent);
    }
    parser.flush().forEach(onEvent);
  } catch (error) {
    if (!signal?.aborted) {
      throw new ApiError(
        `the stream broke: ${String(error)}`,
        0,
        'NetworkError'
      );
    }
  }
}

/** Splits newline-delimited JSON that arrives in arbitrary chunks. */
export class NdjsonParser {
  private buffer = '';

  /** Feed a chunk; returns the complete events it finished. */
  push(chunk: string): IStreamEvent[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    return lines.filter(line => line.trim()).map(line => JSON.parse(line));
  }

  /** The last event when the stream ended without a newline. */
  flush(): IStreamEvent[] {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest ? [JSON.parse(rest)] : [];
  }
}

async function send(
  endpoint: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<Response> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint);
  try {
    return await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ApiError(`network error: ${String(error)}`, 0, 'NetworkError');
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** Retry-After as seconds: a number of seconds, or an HTTP date. */
function retrySeconds(header: string | null): number | undefined {
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return seconds > 0 ? seconds : undefined;
  }
  const date = Date.parse(header);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(1, Math.ceil((date - Date.now()) / 1000));
}
