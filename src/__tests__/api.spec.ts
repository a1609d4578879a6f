import { ServerConnection } from '@jupyterlab/services';

import { ApiError, requestAPI } from '../api';

/** Server settings whose fetch answers with `respond`, recording each URL. */
function settingsAnswering(
  respond: () => Promise<Response>,
  urls: string[] = []
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/base/',
    fetch: async (input: RequestInfo | URL) => {
      urls.push(String(input instanceof Request ? input.url : input));
      return respond();
    }
  });
}

/** The ApiError a request fails with (or the body, to fail the test's checks). */
async function failure(
  endpoint: string,
  settings: ServerConnection.ISettings
): Promise<ApiError> {
  return requestAPI<ApiError>(endpoint, {}, settings).catch((e: ApiError) => e);
}

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

  it('turns a JSON error answer into an ApiError with type and message', async () => {
    const settings = settingsAnswering(
      async () =>
        new Response(
          JSON.stringify({
            error: { type: 'BadRequest', message: 'k must be > 0' }
          }),
          {
            status: 400
          }
        )
    );
    const error = await failure('search', settings);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.type).toBe('BadRequest');
    expect(error.message).toBe('k must be > 0');
  });

  it('reports a non-JSON 404 (extension missing) with its status', async () => {
    const settings = settingsAnswering(
      async () => new Response('<html>nope</html>', { status: 404 })
    );
    const error = await failure('status', settings);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(404);
    expect(error.type).toBe('HTTPError');
  });

  it('reports network failures as status 0', async () => {
    const settings = settingsAnswering(async () => {
      throw new TypeError('connection refused');
    });
    const error = await failure('status', settings);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('connection refused');
  });
});
