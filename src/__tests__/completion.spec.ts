import {
  CompletionHandler,
  IInlineCompletionContext
} from '@jupyterlab/completer';

import { IStreamEvent } from '../api';
import { ICompletionServer, IbisInlineProvider } from '../completion';
import { LiveSettings } from '../settings';

const CONTEXT = {
  widget: { id: 'nb-1' },
  session: null
} as unknown as IInlineCompletionContext;

function request(text: string): CompletionHandler.IRequest {
  return { text, offset: text.length, mimeType: 'text/x-ipython' };
}

/**
 * A provider whose server streams `answer` for each completion and records bodies; the
 * closing event completes with `answer` unless `done` says otherwise.
 */
function provider(
  settings: LiveSettings,
  answer = 'a > 1)',
  done: Partial<IStreamEvent> = {}
) {
  const bodies: any[] = [];
  const server: ICompletionServer = {
    stream: async (endpoint, body, onEvent: (e: IStreamEvent) => void) => {
      bodies.push({ endpoint, ...body });
      onEvent({ type: 'token', text: answer });
      onEvent({
        type: 'done',
        completion: answer,
        withheld: null,
        interaction_id: 'i1',
        ...done
      });
    },
    request: jest.fn(async () => ({}) as any)
  };
  const notebook = {
    context: jest.fn(async () => ({
      schemas: 't(a: int64)',
      tables: { t: { name: 't', schema: { a: 'int64' } } },
      imports: ['import ibis.selectors as s']
    })),
    cells: jest.fn(() => ['import ibis'])
  };
  const instance = new IbisInlineProvider(settings, notebook, server);
  return { instance, bodies, server, notebook };
}

async function streamed(instance: IbisInlineProvider, token: string) {
  let last = '';
  for await (const { response } of instance.stream(token)) {
    last = response.insertText;
  }
  return last;
}

describe('IbisInlineProvider', () => {
  it('streams a completion with the notebook context', async () => {
    const settings = new LiveSettings({ debounceMs: 0 });
    const { instance, bodies } = provider(settings);
    const list = await instance.fetch(request('t.filter('), CONTEXT);
    expect(list.items).toHaveLength(1);
    expect(await streamed(instance, list.items[0].token!)).toBe('a > 1)');
    expect(bodies[0]).toEqual({
      endpoint: 'complete',
      prefix: 't.filter(',
      suffix: '',
      cells: ['import ibis'],
      schemas: 't(a: int64)',
      tables: { t: { name: 't', schema: { a: 'int64' } } },
      language: 'python',
      max_tokens: 48,
      editor_id: 'nb-1'
    });
  });

  it('applies each of its settings at the next request, without a reload', async () => {
    const settings = new LiveSettings({ debounceMs: 0 });
    const { instance, bodies, notebook } = provider(settings);

    settings.update({ ...settings.current, sendSchemas: false });
    await instance.fetch(request('t.'), CONTEXT);
    expect(bodies[0].schemas).toBe('');
    expect(bodies[0].tables).toEqual({});
    expect(notebook.context).not.toHaveBeenCalled();

    settings.update({ ...settings.current, sendCells: false });
    await instance.fetch(request('t.'), CONTEXT);
    expect(bodies[1].cells).toEqual([]);

    settings.update({ ...settings.current, maxCompletionTokens: 7 });
    await instance.fetch(request('t.'), CONTEXT);
    expect(bodies[2].max_tokens).toBe(7);

    settings.update({ ...settings.current, completions: false });
    expect((await instance.fetch(request('t.'), CONTEXT)).items).toEqual([]);
    expect(bodies).toHaveLength(3);
  });

  it('waits for the configured pause, changed live', async () => {
    jest.useFakeTimers();
    try {
      const settings = new LiveSettings({ debounceMs: 0 });
      const { instance, bodies } = provider(settings);
      settings.update({ ...settings.current, debounceMs: 1000 });
      const fetched = instance.fetch(request('t.'), CONTEXT);
      await jest.advanceTimersByTimeAsync(999);
      expect(bodies).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      await fetched;
      expect(bodies).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports a shown suggestion as accepted when it was typed in', async () => {
    const settings = new LiveSettings({ debounceMs: 0 });
    const { instance, server } = provider(settings);
    const list = await instance.fetch(request('t.filter('), CONTEXT);
    await streamed(instance, list.items[0].token!);
    await instance.fetch(request('t.filter(a > 1)\n'), CONTEXT);
    expect(server.request).toHaveBeenCalledWith('feedback', {
      method: 'POST',
      body: JSON.stringify({ interaction_id: 'i1', accepted: true })
    });
  });

  it('never shows the tokens of a suggestion before the server has judged it', async () => {
    const settings = new LiveSettings({ debounceMs: 0 });
    let finish: () => void = () => undefined;
    const server: ICompletionServer = {
      stream: async (endpoint, body, onEvent: (e: IStreamEvent) => void) => {
        await new Promise(resolve => setTimeout(resolve, 5));
        onEvent({ type: 'token', text: "Here's a function" });
        await new Promise<void>(resolve => (finish = resolve));
        onEvent({ type: 'done', completion: '', withheld: 'does not parse' });
      },
      request: jest.fn(async () => ({}) as any)
    };
    const notebook = {
      context: jest.fn(async () => ({ schemas: '', tables: {}, imports: [] })),
      cells: jest.fn(() => [])
    };
    const instance = new IbisInlineProvider(settings, notebook, server);
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      const list = await instance.fetch(request('t.filter('), CONTEXT);
      const shown: string[] = [];
      const reading = (async () => {
        for await (const { response } of instance.stream(
          list.items[0].token!
        )) {
          shown.push(response.insertText);
        }
      })();
      await new Promise(resolve => setTimeout(resolve, 20));
      finish();
      await reading;
      expect(shown.join('')).toBe('');
    } finally {
      debug.mockRestore();
    }
  });

  it('shows nothing for a withheld completion, and reports no acceptance of it', async () => {
    const settings = new LiveSettings({ debounceMs: 0 });
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      const { instance, server } = provider(settings, 't.amout', {
        completion: '',
        withheld: 't.amout is not a column; did you mean amount?'
      });
      const list = await instance.fetch(request('x = '), CONTEXT);
      expect(await streamed(instance, list.items[0].token!)).toBe('');
      expect(debug).toHaveBeenCalledWith(
        'ibis-copilot: completion withheld: t.amout is not a column; did you mean amount?'
      );
      await instance.fetch(request('x = t.amout\n'), CONTEXT);
      expect(server.request).not.toHaveBeenCalled();
    } finally {
      debug.mockRestore();
    }
  });
});
