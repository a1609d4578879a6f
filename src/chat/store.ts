import { IStateDB } from '@jupyterlab/statedb';

import { IChatState } from './state';

/** Where the conversation is kept across page reloads. */
export interface IChatStore {
  load(): Promise<unknown>;
  save(state: IChatState): Promise<void>;
}

/** The key of the saved conversation in JupyterLab's state database. */
export const STATE_KEY = 'ibis-copilot:chat';

/** A conversation store in JupyterLab's state database (nothing kept without one). */
export function stateDbStore(stateDB: IStateDB | null): IChatStore {
  return {
    load: async () => (stateDB ? stateDB.fetch(STATE_KEY) : null),
    save: async (state: IChatState) => {
      await stateDB?.save(STATE_KEY, state as any);
    }
  };
}
