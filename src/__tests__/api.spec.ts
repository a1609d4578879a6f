import { ServerConnection } from '@jupyterlab/services';

import {
  ApiError,
  IStreamEvent,
  parseError,
  requestAPI,
  streamAPI
} from '../api';

/** Server settings whose fetch answers with `respond`, recording each request. */
function settingsAnswering(
  respond: (init?: RequestInit) => Promise<Response>,
  urls: string[] = [],
  bodies: string[] = []
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/base/',
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : null;
      urls.push(String(request ? request.url : input));
      bodies.push(request ? await request.clone().text() : String(init?.body));
      return respond(init);
    }
  });
}

/** A Response whose body arrives in the given chunks. */
function chunked(chunks: string[], status = 200): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      chunks.forEach(chunk => controller.enqueue(encoder.encode(chunk)));
      controller.close();
    }
  });
  return new Response(body, { status });
}

const SERVER_ERROR = JSON.stringify({
  error: { type: 'QueueFull', message: 'the queue is full' }
});

/** The ApiError a promise fails with. */
async function failure(promise: Promise<unknown>): Promise<ApiError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: ApiError) => error
  );
}

describe('parseError (the one error parser)', () => {
  it("reads the server's error type and message", () => {
    const error = parseError(400, 'Bad Request', SERVER_ERROR);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.type).toBe('QueueFull');
    expect(error.message).toBe('the queue is full');
    expect(error.retryAfter).toBeUndefined();
  });

  it("keeps a 429's Retry-After, in seconds or as a date", () => {
    expect(parseError(429, '', SERVER_ERROR, '7').retryAfter).toBe(7);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = parseError(429, '', SERVER_ERROR, inTenSeconds).retryAfter;
    expect(fromDate).toBeGreaterThanOrEqual(9);
    expect(fromDate).toBeLessThanOrEqual(11);
    expect(
      parseError(429, '', SERVER_ERROR, 'soon').retryAfter
    ).toBeUndefined();
  });

  it("falls back to Jupyter's message, then to the status line", () => {
    const jupyter = parseError(403, 'Forbidden', '{"message": "no XSRF"}');
    expect(jupyter.message).toBe('no XSRF');
    expect(jupyter.type).toBe('HTTPError');
    const html = parseError(404, 'Not Found', '<html>nope</html>');
    expect(html.message).toBe('404 Not Found');
    expect(html.type).toBe('HTTPError');
    expect(parseError(502, '', '').message).toBe('502');
  });
});

describe('requestAPI', () => {
  it('calls the namespaced endpoint and parses JSON', async () => {
    const urls: string[] = [];
    const settings = settingsAnswering(
      async () =>
        new Response(JSON.stringify({ version: '0.1.0' }), { status: 200 }),
      urls
    );
    const body = await requestAPI<{ version: string }>('status', {}, settings);
    expect(body.version).toBe('0.1.0');
    expect(urls[0]).toMatch(
      /^http:\/\/localhost:8888\/base\/ibis-copilot\/status/
    );
  });

  it('turns an error answer into an ApiError with type, message and Retry-After', async () => {
    const settings = settingsAnswering(
      async () =>
        new Response(SERVER_ERROR, {
          status: 429,
          headers: { 'Retry-After': '3' }
        })
    );
    const error = await failure(requestAPI('search', {}, settings));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.type).toBe('QueueFull');
    expect(error.message).toBe('the queue is full');
    expect(error.retryAfter).toBe(3);
  });

  it('reports a non-JSON 404 (extension missing) with its status', async () => {
    const settings = settingsAnswering(
      async () => new Response('<html>nope</html>', { status: 404 })
    );
    const error = await failure(requestAPI('status', {}, settings));
    expect(error.status).toBe(404);
    expect(error.type).toBe('HTTPError');
  });

  it('reports network failures as status 0', async () => {
    const settings = settingsAnswering(async () => {
      throw new TypeError('connection refused');
    });
    const error = await failure(requestAPI('status', {}, settings));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('connection refused');
  });
});

describe('streamAPI', () => {
  it('posts with stream: true and delivers events split across chunks', async () => {
    const bodies: string[] = [];
    const settings = settingsAnswering(
      async () =>
        chunked([
          '{"type":"token","te',
          'xt":"a"}\n{"type":"token","text":"b"}\n',
          '{"type":"done","conversation_id":"c1"}'
        ]),
      [],
      bodies
    );
    const events: IStreamEvent[] = [];
    await streamAPI('chat', { q: 1 }, e => events.push(e), undefined, settings);
    expect(JSON.parse(bodies[0])).toEqual({ q: 1, stream: true });
    expect(events).toEqual([
      { type: 'token', text: 'a' },
      { type: 'token', text: 'b' },
      { type: 'done', conversation_id: 'c1' }
    ]);
  });

  it('fails with the same ApiError as requestAPI for an error answer', async () => {
    const settings = settingsAnswering(
      async () =>
        new Response(SERVER_ERROR, {
          status: 429,
          headers: { 'Retry-After': '5' }
        })
    );
    const error = await failure(
      streamAPI('chat', {}, () => undefined, undefined, settings)
    );
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.type, error.retryAfter]).toEqual([
      429,
      'QueueFull',
      5
    ]);
  });

  it('passes error events through to the caller', async () => {
    const settings = settingsAnswering(async () =>
      chunked([
        '{"type":"error","error":{"type":"ModelError","message":"boom"}}\n'
      ])
    );
    const events: IStreamEvent[] = [];
    await streamAPI('chat', {}, e => events.push(e), undefined, settings);
    expect(events[0].error).toEqual({ type: 'ModelError', message: 'boom' });
  });

  it('ends quietly when the caller aborts', async () => {
    const controller = new AbortController();
    const settings = settingsAnswering(async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(
      streamAPI('chat', {}, () => undefined, controller.signal, settings)
    ).resolves.toBeUndefined();
  });
});
