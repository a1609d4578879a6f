import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Prefix of every ibis-copilot server endpoint. */
export const API_NAMESPACE = 'ibis-copilot';

/** An error answered by the server extension, or the lack of one. */
export class ApiError extends Error {
  /** Seconds the server asked to wait before retrying (429). */
  retryAfter?: number;

  constructor(
    message: string,
    readonly status: number,
    readonly type: string
  ) {
    super(message);
  }
}

/**
 * Call an ibis-copilot endpoint and parse its JSON answer.
 *
 * Authentication (token, XSRF) comes from the JupyterLab server connection.
 */
export async function requestAPI<T>(
  endpoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ApiError(`network error: ${String(error)}`, 0, 'NetworkError');
  }
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body?.error ?? {};
    throw new ApiError(
      detail.message ?? `${response.status} ${response.statusText}`,
      response.status,
      detail.type ?? 'HTTPError'
    );
  }
  return body as T;
}
