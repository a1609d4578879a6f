import { ApiError, IStreamEvent } from '../api';
import { IChatBackend } from '../chat/backend';
import { ChatChange, ChatSession, STOPPED_NOTE } from '../chat/session';
import { IChatStore } from '../chat/store';
import { IChatState, IModelStatus } from '../chat/state';
import { LiveSettings } from '../settings';

/** A stream the test drives: send events, then end it (or fail it). */
class FakeStream {
  endpoint = '';
  body: any = null;
  signal: AbortSignal | null = null;
  onEvent: (event: IStreamEvent) => void = () => undefined;
  private finish: (() => void) | null = null;
  private fail: ((error: unknown) => void) | null = null;
  readonly started: Promise<void>;
  private markStarted: () => void = () => undefined;

  constructor() {
    this.started = new Promise(resolve => (this.markStarted = resolve));
  }

  run(
    endpoint: string,
    body: object,
    onEvent: (event: IStreamEvent) => void,
    signal: AbortSignal
  ): Promise<void> {
    Object.assign(this, { endpoint, body, onEvent, signal });
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
      // Like streamAPI: an abort ends the call quietly.
      signal.addEventListener('abort', () => resolve());
      this.markStarted();
    });
  }

  send(...events: IStreamEvent[]): void {
    events.forEach(event => this.onEvent(event));
  }

  end(): void {
    this.finish?.();
  }

  error(error: unknown): void {
    this.fail?.(error);
  }
}

/** A backend whose streams are FakeStreams, in the order they were asked for. */
function fakeBackend(model: IModelStatus = { state: 'ready' }) {
  const streams: FakeStream[] = [];
  let next = new FakeStream();
  const backend: IChatBackend = {
    stream: (endpoint, body, onEvent, signal) => {
      const stream = next;
      streams.push(stream);
      next = new FakeStream();
      return stream.run(endpoint, body, onEvent, signal);
    },
    model: jest.fn(async () => model)
  };
  const nextStream = async () => {
    const stream = next;
    await stream.started;
    return stream;
  };
  return { backend, streams, nextStream };
}

function memoryStore(saved: unknown = null) {
  const saves: IChatState[] = [];
  const store: IChatStore = {
    load: async () => saved,
    save: async state => {
      saves.push(JSON.parse(JSON.stringify(state)));
    }
  };
  return { store, saves };
}

function newSession(
  backend: IChatBackend,
  store?: IChatStore,
  schemas = 'orders(id: int64)'
) {
  const session = new ChatSession({
    context: async () => ({
      schemas,
      tables: { o: { name: 'orders', schema: { id: 'int64' } } },
      imports: ['import ibis.selectors as s']
    }),
    backend,
    store,
    pollMs: 5
  });
  const changes: ChatChange['kind'][] = [];
  session.changed.connect((_, change) => changes.push(change.kind));
  return { session, changes };
}

describe('ChatSession', () => {
  it('streams an answer into the conversation and keeps the conversation id', async () => {
    const { backend, nextStream } = fakeBackend();
    const { session, changes } = newSession(backend);
    const asked = session.ask('  How do I join?  ');
    const stream = await nextStream();
    expect(stream.endpoint).toBe('chat');
    expect(stream.body).toEqual({
      messages: [{ role: 'user', content: 'How do I join?' }],
      conversation_id: null,
      schemas: 'orders(id: int64)',
      tables: { o: { name: 'orders', schema: { id: 'int64' } } },
      imports: ['import ibis.selectors as s']
    });
    expect(session.busy).toBe(true);
    stream.send(
      { type: 'token', text: 'Use ' },
      { type: 'token', text: '`join`.' },
      {
        type: 'done',
        conversation_id: 'c1',
        citations: [{ title: 'Joins', url: 'https://ibis-project.org/j' }]
      }
    );
    expect(session.messages[1].text).toBe('Use `join`.');
    expect(session.messages[1].streaming).toBe(true);
    stream.end();
    await asked;
    expect(session.busy).toBe(false);
    expect(session.conversationId).toBe('c1');
    expect(session.messages).toEqual([
      { role: 'user', text: 'How do I join?' },
      {
        role: 'assistant',
        text: 'Use `join`.',
        streaming: false,
        citations: [{ title: 'Joins', url: 'https://ibis-project.org/j' }]
      }
    ]);
    expect(changes).toContain('added');
    expect(changes).toContain('updated');
    expect(changes).toContain('busy');

    const second = session.ask('And a left join?');
    expect((await nextStream()).body.conversation_id).toBe('c1');
    session.stop();
    await second;
  });

  it('leaves the schemas and tables out when the toggle is off, and ignores empty questions', async () => {
    const { backend, streams, nextStream } = fakeBackend();
    const { session } = newSession(backend);
    await session.ask('   ');
    expect(streams).toHaveLength(0);
    session.sendSchemas = false;
    const asked = session.ask('q');
    const stream = await nextStream();
    expect(stream.body.schemas).toBe('');
    expect(stream.body.tables).toEqual({});
    expect(stream.body.imports).toEqual([]);
    stream.end();
    await asked;
  });

  it('explains a failing cell through /explain', async () => {
    const { backend, nextStream } = fakeBackend();
    const { session } = newSession(backend);
    const report = {
      code: 't.amout.sum()',
      error_type: 'AttributeError',
      message: "no column 'amout'",
      traceback: 'tb'
    };
    const explained = session.explain(report);
    const stream = await nextStream();
    expect(stream.endpoint).toBe('explain');
    expect(stream.body).toEqual({
      ...report,
      schemas: 'orders(id: int64)',
      tables: { o: { name: 'orders', schema: { id: 'int64' } } },
      imports: ['import ibis.selectors as s']
    });
    expect(session.messages[0].text).toContain('**AttributeError**');
    stream.end();
    await explained;
  });

  it("keeps the rules' diagnosis when the model then fails without a word", async () => {
    const { backend, nextStream } = fakeBackend();
    const { session, changes } = newSession(backend);
    const explained = session.explain({
      code: 't.amout.sum()',
      error_type: 'AttributeError',
      message: "no column 'amout'",
      traceback: ''
    });
    const stream = await nextStream();
    stream.send({
      type: 'diagnosis',
      findings: [
        { rule: 'unknown column', message: '`amout` is not a column' }
      ],
      fix: null
    });
    expect(session.messages[1].diagnosis?.findings).toHaveLength(1);
    expect(session.messages[1].text).toBe('');
    expect(changes[changes.length - 1]).toBe('updated');
    stream.error(new ApiError('the stream broke', 0, 'NetworkError'));
    await explained;
    expect(session.messages[1]).toMatchObject({
      text: '',
      streaming: false,
      diagnosis: {
        findings: [
          { rule: 'unknown column', message: '`amout` is not a column' }
        ],
        fix: null
      }
    });
    expect(session.messages[1].note).toMatch(/cannot be reached/);
  });

  it('Stop keeps what arrived and notes it; the status line stays quiet', async () => {
    const { backend, nextStream } = fakeBackend();
    const { session } = newSession(backend);
    const asked = session.ask('q');
    const stream = await nextStream();
    stream.send({ type: 'token', text: 'partial' });
    session.stop();
    await asked;
    expect(session.messages[1]).toMatchObject({
      text: 'partial',
      streaming: false,
      note: STOPPED_NOTE
    });
    expect(session.status).toBe('');
    expect(session.busy).toBe(false);
  });

  it('says why a request failed, in the message and the status line', async () => {
    const { backend, nextStream } = fakeBackend();
    const { session } = newSession(backend);
    const asked = session.ask('q');
    const busy = new ApiError('queue full', 429, 'QueueFull', 4);
    (await nextStream()).error(busy);
    await asked;
    const expected =
      'The assistant is busy with other requests; try again in 4 s.';
    expect(session.messages[1].note).toBe(expected);
    expect(session.status).toBe(expected);
  });

  it('reports an error event of the stream', async () => {
    const { backend, nextStream } = fakeBackend();
    const { session } = newSession(backend);
    const asked = session.ask('q');
    const stream = await nextStream();
    stream.send({
      type: 'error',
      error: { type: 'ModelError', message: 'out of memory' }
    });
    stream.end();
    await asked;
    expect(session.messages[1].note).toBe('The model failed: out of memory');
  });

  it("says the model is loading until the first token, from the server's status", async () => {
    const { backend, nextStream } = fakeBackend({
      state: 'loading',
      name: 'small',
      since: Date.now() / 1000 - 3
    });
    const { session } = newSession(backend);
    const asked = session.ask('q');
    const stream = await nextStream();
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(session.status).toMatch(/^Loading the model small… \(\d s\)$/);
    stream.send({ type: 'token', text: 'a' });
    expect(session.status).toBe('');
    const polls = (backend.model as jest.Mock).mock.calls.length;
    await new Promise(resolve => setTimeout(resolve, 20));
    expect((backend.model as jest.Mock).mock.calls.length).toBe(polls);
    stream.end();
    await asked;
  });

  it('New conversation stops the answer and forgets everything', async () => {
    const { backend, nextStream } = fakeBackend();
    const { store, saves } = memoryStore();
    const { session } = newSession(backend, store);
    await session.load();
    const asked = session.ask('q');
    const stream = await nextStream();
    stream.send({ type: 'done', conversation_id: 'old' });
    session.newConversation();
    await asked;
    expect(session.messages).toEqual([]);
    expect(session.conversationId).toBeNull();
    expect(session.status).toBe('');
    expect(saves[saves.length - 1]).toEqual({
      conversationId: null,
      messages: []
    });
  });

  it('a new question while one streams stops the first, then asks', async () => {
    const { backend, nextStream } = fakeBackend();
    const { session } = newSession(backend);
    const first = session.ask('one');
    const firstStream = await nextStream();
    const second = session.ask('two');
    await first;
    expect(firstStream.signal?.aborted).toBe(true);
    const secondStream = await nextStream();
    expect(secondStream.body.messages[0].content).toBe('two');
    secondStream.end();
    await second;
    expect(session.messages.map(m => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant'
    ]);
  });

  it('shows a ready answer (Show SQL) without asking the model', () => {
    const { backend, streams } = fakeBackend();
    const { session } = newSession(backend);
    session.showAnswer('SQL for `expr`', '```sql\nSELECT 1\n```');
    expect(streams).toHaveLength(0);
    expect(session.messages.map(m => m.text)).toEqual([
      'SQL for `expr`',
      '```sql\nSELECT 1\n```'
    ]);
  });
});

describe('ChatSession persistence', () => {
  it('restores the saved conversation and marks an interrupted answer', async () => {
    const { backend } = fakeBackend();
    const { store } = memoryStore({
      conversationId: 'c9',
      messages: [
        { role: 'user', text: 'q' },
        { role: 'assistant', text: 'half', streaming: true }
      ]
    });
    const { session, changes } = newSession(backend, store);
    await session.load();
    expect(changes).toEqual(['reset']);
    expect(session.conversationId).toBe('c9');
    expect(session.messages[1]).toEqual({
      role: 'assistant',
      text: 'half',
      streaming: false,
      note: 'interrupted by a reload'
    });
  });

  it('never saves before the saved conversation was read', async () => {
    const { backend } = fakeBackend();
    const { store, saves } = memoryStore({
      conversationId: null,
      messages: [{ role: 'user', text: 'old' }]
    });
    const { session } = newSession(backend, store);
    session.showAnswer('q', 'a');
    expect(saves).toEqual([]);
    await session.load();
    // A conversation started before the reload finished wins, and is saved then.
    expect(session.messages.map(m => m.text)).toEqual(['q', 'a']);
    expect(saves[saves.length - 1].messages.map(m => m.text)).toEqual([
      'q',
      'a'
    ]);
  });

  it('saves each message and the end of each answer', async () => {
    const { backend, nextStream } = fakeBackend();
    const { store, saves } = memoryStore();
    const { session } = newSession(backend, store);
    await session.load();
    const asked = session.ask('q');
    const stream = await nextStream();
    stream.send(
      { type: 'token', text: 'answer' },
      { type: 'done', conversation_id: 'c2' }
    );
    stream.end();
    await asked;
    expect(saves[saves.length - 1]).toEqual({
      conversationId: 'c2',
      messages: [
        { role: 'user', text: 'q' },
        { role: 'assistant', text: 'answer', streaming: false, citations: [] }
      ]
    });
  });

  it('survives a store that fails', async () => {
    const { backend } = fakeBackend();
    const store: IChatStore = {
      load: async () => {
        throw new Error('no database');
      },
      save: async () => {
        throw new Error('no database');
      }
    };
    const { session } = newSession(backend, store);
    await session.load();
    expect(() => session.showAnswer('q', 'a')).not.toThrow();
  });
});

describe('ChatSession settings', () => {
  it('follows the sendSchemas setting live, and only when that setting changes', () => {
    const { backend } = fakeBackend();
    const { session, changes } = newSession(backend);
    const settings = new LiveSettings({ sendSchemas: false });
    session.followSettings(settings);
    expect(session.sendSchemas).toBe(false);
    settings.update({ ...settings.current, sendSchemas: true });
    expect(session.sendSchemas).toBe(true);
    expect(changes).toEqual(['sendSchemas', 'sendSchemas']);
    // The panel's own toggle is kept when another setting changes...
    session.sendSchemas = false;
    settings.update({ ...settings.current, debounceMs: 500 });
    expect(session.sendSchemas).toBe(false);
    // ...and the setting wins again when it changes.
    settings.update({ ...settings.current, sendSchemas: false });
    settings.update({ ...settings.current, sendSchemas: true });
    expect(session.sendSchemas).toBe(true);
  });
});
