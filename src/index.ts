import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { ApiError, requestAPI } from './api';
import { assistantPlugin } from './assistant';
import { describeStatus, IServerStatus, IStatusView } from './status';

// The version this frontend was built as; the server extension must match it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FRONTEND_VERSION: string = require('../package.json').version;
/** How often the status-bar item asks the server again. */
const STATUS_REFRESH_MS = 30000;

/** Ask the server extension for its status; errors become an ApiError value. */
export async function fetchStatus(): Promise<IServerStatus | ApiError> {
  try {
    return await requestAPI<IServerStatus>('status');
  } catch (error) {
    return error instanceof ApiError
      ? error
      : new ApiError(String(error), 0, 'Error');
  }
}

function renderStatus(node: HTMLElement, view: IStatusView): void {
  node.textContent = view.text;
  node.title = view.title;
  node.dataset.level = view.level;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'ibis-copilot:plugin',
  description: 'Ibis Copilot: an AI assistant for Ibis dataframe code.',
  autoStart: true,
  optional: [IStatusBar],
  activate: async (app: JupyterFrontEnd, statusBar: IStatusBar | null) => {
    const item = new Widget();
    item.addClass('jp-IbisCopilot-status');
    renderStatus(item.node, {
      level: 'warning',
      text: 'Ibis Copilot: checking…',
      title: 'Contacting the ibis-copilot server extension'
    });
    statusBar?.registerStatusItem('ibis-copilot:status', {
      item,
      align: 'left',
      rank: 100
    });
    const view = describeStatus(await fetchStatus(), FRONTEND_VERSION);
    renderStatus(item.node, view);
    if (view.level !== 'ok') {
      console.warn(`ibis-copilot: ${view.text}. ${view.title}`);
    }
    // Kept current, so a model worker that died or stays down shows up here.
    setInterval(async () => {
      renderStatus(
        item.node,
        describeStatus(await fetchStatus(), FRONTEND_VERSION)
      );
    }, STATUS_REFRESH_MS);
  }
};

export default [plugin, assistantPlugin];
