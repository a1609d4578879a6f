import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, ApiError } from './api';

/** One event of a streamed answer: `token`s, then `done` or `error`. */
export interface IStreamEvent {
  type: 'token' | 'done' | 'error';
  text?: string;
  error?: { type: string; message: string };
  [key: string]: unknown;
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

/**
 * POST `body` to an ibis-copilot endpoint and call `onEvent` for each streamed event.
 *
 * Aborting `signal` closes the connection; the server then cancels the generation.
 * HTTP errors (400, 404, 429, 503) become an ApiError carrying the server's message;
 * a 429's Retry-After is kept in `retryAfter`.
 */
export async function streamAPI(
  endpoint: string,
  body: unknown,
  onEvent: (event: IStreamEvent) => void,
  signal?: AbortSignal,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<void> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint);
  const init: RequestInit = {
    method: 'POST',
    body: JSON.stringify({ ...(body as object), stream: true }),
    signal
  };
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    if (signal?.aborted) {
      return;
    }
    throw new ApiError(`network error: ${String(error)}`, 0, 'NetworkError');
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

/** A server error answer as an ApiError (with Retry-After for 429). */
export async function errorOf(response: Response): Promise<ApiError> {
  let detail: { type?: string; message?: string } = {};
  try {
    detail = (await response.json())?.error ?? {};
  } catch {
    detail = {};
  }
  const error = new ApiError(
    detail.message ?? `${response.status} ${response.statusText}`,
    response.status,
    detail.type ?? 'HTTPError'
  );
  const retry = Number(response.headers.get('Retry-After'));
  if (retry > 0) {
    error.retryAfter = retry;
  }
  return error;
}
