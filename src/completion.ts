import {
  CompletionHandler,
  IInlineCompletionContext,
  IInlineCompletionItem,
  IInlineCompletionList,
  IInlineCompletionProvider
} from '@jupyterlab/completer';

import { IStreamEvent, requestAPI, streamAPI } from './api';
import { completionBody } from './context';
import { Debouncer } from './debounce';
import { EMPTY_CONTEXT, INotebookContext } from './kernelContract';
import { GrowingText } from './growingText';
import { LiveSettings } from './settings';

/** What the provider reads from the notebook an editor belongs to. */
export interface ICompletionContextSource {
  /** What the editor's kernel tells about its tables (empty when none). */
  context(context: IInlineCompletionContext): Promise<INotebookContext>;
  /** The earlier cells nearest the editor's cell ([] outside notebooks). */
  cells(context: IInlineCompletionContext): string[];
}

/** The server calls the provider makes (replaced in tests). */
export interface ICompletionServer {
  stream: typeof streamAPI;
  request: typeof requestAPI;
}

const SERVER: ICompletionServer = { stream: streamAPI, request: requestAPI };

/**
 * Inline ghost-text completions from `/ibis-copilot/complete`, shown once the server has
 * checked the whole suggestion.
 *
 * Typing again cancels the request in flight (and the server stops generating); nothing
 * is asked for empty or non-Python cells; a shown suggestion found typed into the cell
 * on the next request is reported as accepted (only recorded when the server logs).
 * The settings are read at each request, so a change applies to the next keystroke.
 */
export class IbisInlineProvider implements IInlineCompletionProvider {
  readonly name = 'Ibis Copilot';
  readonly identifier = 'ibis-copilot';
  private debouncer: Debouncer;
  private streams = new Map<string, GrowingText>();
  private counter = 0;
  private lastShown: { prefix: string; text: GrowingText } | null = null;

  constructor(
    private settings: LiveSettings,
    private notebook: ICompletionContextSource,
    private server: ICompletionServer = SERVER
  ) {
    this.debouncer = new Debouncer(settings.current.debounceMs);
    settings.changed.connect((_, current) => {
      this.debouncer.delayMs = current.debounceMs;
      if (!current.completions) {
        this.debouncer.cancel();
      }
    });
  }

  async fetch(
    request: CompletionHandler.IRequest,
    context: IInlineCompletionContext
  ): Promise<IInlineCompletionList<IInlineCompletionItem>> {
    this.reportAcceptance(request.text);
    if (!this.settings.current.completions) {
      return { items: [] };
    }
    const token = await this.debouncer.run(async signal => {
      const settings = this.settings.current; // as they are when the pause ends
      const notebook = settings.sendSchemas
        ? await this.notebook.context(context)
        : EMPTY_CONTEXT;
      const body = completionBody(
        request.text,
        request.offset,
        request.mimeType ?? '',
        settings.sendCells ? this.notebook.cells(context) : [],
        notebook,
        settings
      );
      if (body === null || signal.aborted || !settings.completions) {
        return null;
      }
      return this.start(
        {
          ...body,
          max_tokens: settings.maxCompletionTokens,
          editor_id: context.widget.id || 'editor'
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
      // At least one answer, even for a stream that ended before it was read.
      do {
        await text.changed();
        yield {
          response: { insertText: text.text, isIncomplete: !text.done, token }
        };
      } while (!text.done);
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
      // Tokens are not shown as they come: only the closing event says whether the
      // suggestion parses in the cell and uses real names, and wrong ghost text must
      // never flash. The whole suggestion appears at once.
      if (event.type === 'token') {
        return;
      }
      if (event.type === 'done') {
        // A withheld completion ends as '': no ghost text at all.
        if (event.withheld) {
          console.debug(`ibis-copilot: completion withheld: ${event.withheld}`);
        }
        text.interactionId = (event.interaction_id as string) ?? null;
        text.finish(
          typeof event.completion === 'string' ? event.completion : text.text
        );
      } else {
        text.finish('');
      }
    };
    this.server
      .stream('complete', body, onEvent, signal)
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
    this.server
      .request('feedback', {
        method: 'POST',
        body: JSON.stringify({
          interaction_id: shown.text.interactionId,
          accepted
        })
      })
      .catch(() => undefined);
  }
}
