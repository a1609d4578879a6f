import { IStreamEvent, requestAPI, streamAPI } from '../api';
import { IModelStatus } from './state';

/** The server calls a session makes (replaced in tests). */
export interface IChatBackend {
  stream(
    endpoint: string,
    body: object,
    onEvent: (event: IStreamEvent) => void,
    signal: AbortSignal
  ): Promise<void>;
  /** The model part of `/ibis-copilot/status`. */
  model(): Promise<IModelStatus>;
}

export const SERVER_BACKEND: IChatBackend = {
  stream: (endpoint, body, onEvent, signal) =>
    streamAPI(endpoint, body, onEvent, signal),
  model: async () => (await requestAPI<{ model: IModelStatus }>('status')).model
};
