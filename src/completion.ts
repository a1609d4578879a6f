import {
  CompletionHandler,
  IInlineCompletionContext,
  IInlineCompletionItem,
  IInlineCompletionList,
  IInlineCompletionProvider
} from '@jupyterlab/completer';
import { NotebookPanel } from '@jupyterlab/notebook';

import { requestAPI } from './api';
import { completionBody, earlierCells, IContextSettings } from './context';
import { Debouncer } from './debounce';
import { KernelSchemas } from './kernel';
import { IStreamEvent, streamAPI } from './stream';

/** The settings the completion provider reads. */
export interface ICompletionSettings extends IContextSettings {
  completions: boolean;
  debounceMs: number;
  maxCompletionTokens: number;
}

/** Text that grows as tokens arrive; readers wait for each change. */
export class GrowingText {
  text = '';
  done = false;
  interactionId: string | null = null;
  private wake: (() => void) | null = null;

  append(text: string): void {
    this.text += text;
    this.notify();
  }

  finish(text?: string): void {
    if (text !== undefined) {
      this.text = text;
    }
    this.done = true;
    this.notify();
  }

  /** Resolves at the next change (or at once when finished). */
  changed(): Promise<void> {
    return this.done
      ? Promise.resolve()
      : new Promise(resolve => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Inline ghost-text completions from `/ibis-copilot/complete`, streamed.
 *
 * Typing again cancels the request in flight (and the server stops generating); nothing
 * is asked for empty or non-Python cells; a shown suggestion found typed into the cell
 * on the next request is reported as accepted (only recorded when the server logs).
 */
export class IbisInlineProvider implements IInlineCompletionProvider {
  readonly name = 'Ibis Copilot';
  readonly identifier = 'ibis-copilot';
  private debouncer: Debouncer;
  private streams = new Map<string, GrowingText>();
  private counter = 0;
  private lastShown: { prefix: string; text: GrowingText } | null = null;

  constructor(
    private schemas: KernelSchemas,
    private settings: () => ICompletionSettings
  ) {
    this.debouncer = new Debouncer(settings().debounceMs);
  }

  async fetch(
    request: CompletionHandler.IRequest,
    context: IInlineCompletionContext
  ): Promise<IInlineCompletionList<IInlineCompletionItem>> {
    const settings = this.settings();
    this.debouncer.delayMs = settings.debounceMs;
    this.reportAcceptance(request.text);
    if (!settings.completions) {
      return { items: [] };
    }
    const panel =
      context.widget instanceof NotebookPanel ? context.widget : null;
    const token = await this.debouncer.run(async signal => {
      const [schemas, cells] = await Promise.all([
        settings.sendSchemas
          ? this.schemas.get(context.session)
          : Promise.resolve(''),
        Promise.resolve(panel ? notebookCells(panel) : [])
      ]);
      const body = completionBody(
        request.text,
        request.offset,
        request.mimeType ?? '',
        cells,
        schemas,
        settings
      );
      if (body === null || signal.aborted) {
        return null;
      }
      return this.start(
        {
          ...body,
          max_tokens: settings.maxCompletionTokens,
          editor_id: editorId(context)
        },
        signal,
        request.text.slice(0, request.offset)
      );
    });
    if (token === null) {
      return { items: [] };
    }
    return { items: [{ insertText: '', isIncomplete: true, token }] };
  }

  async *stream(
    token: string
  ): AsyncGenerator<{ response: IInlineCompletionItem }> {
    const text = this.streams.get(token);
    if (!text) {
      return;
    }
    try {
      while (!text.done) {
        await text.changed();
        yield {
          response: { insertText: text.text, isIncomplete: !text.done, token }
        };
      }
    } finally {
      this.streams.delete(token);
    }
  }

  private start(body: object, signal: AbortSignal, prefix: string): string {
    const token = `ibis-copilot-${++this.counter}`;
    const text = new GrowingText();
    this.streams.set(token, text);
    this.lastShown = { prefix, text };
    const onEvent = (event: IStreamEvent) => {
      if (event.type === 'token') {
        text.append(event.text ?? '');
      } else if (event.type === 'done') {
        text.interactionId = (event.interaction_id as string) ?? null;
        text.finish(String(event.completion ?? text.text));
      } else {
        text.finish('');
      }
    };
    streamAPI('complete', body, onEvent, signal)
      .catch(() => text.finish(''))
      .finally(() => text.finish());
    return token;
  }

  private reportAcceptance(current: string): void {
    const shown = this.lastShown;
    if (
      !shown?.text.done ||
      !shown.text.interactionId ||
      !shown.text.text.trim()
    ) {
      return;
    }
    this.lastShown = null;
    const accepted = current.includes(shown.prefix + shown.text.text);
    requestAPI('feedback', {
      method: 'POST',
      body: JSON.stringify({
        interaction_id: shown.text.interactionId,
        accepted
      })
    }).catch(() => undefined);
  }
}

function notebookCells(panel: NotebookPanel): string[] {
  const notebook = panel.content;
  const sources = notebook.widgets.map(cell =>
    cell.model.sharedModel.getSource()
  );
  return earlierCells(sources, notebook.activeCellIndex);
}

function editorId(context: IInlineCompletionContext): string {
  return context.widget.id || 'editor';
}
