import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ICompletionProviderManager } from '@jupyterlab/completer';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';

import { ChatSession } from './chat/session';
import { stateDbStore } from './chat/store';
import { ChatView } from './chat/view';
import { addCommands, CHAT_ICON } from './commands';
import { IbisInlineProvider } from './completion';
import { KernelContext } from './kernel';
import {
  addExplainButton,
  errorReport,
  insertBelow,
  notebookCells,
  replaceSelection
} from './notebook';
import { LiveSettings } from './settings';

export { COMMANDS } from './commands';

/** The sidebar chat, Explain buttons on failing Ibis cells, and inline completions. */
export const assistantPlugin: JupyterFrontEndPlugin<void> = {
  id: 'ibis-copilot:assistant',
  description: 'Ibis Copilot chat, error explanations and inline completions.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  optional: [
    IStateDB,
    ISettingRegistry,
    ICommandPalette,
    ICompletionProviderManager,
    ILabShell
  ],
  activate: async (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    notebooks: INotebookTracker,
    stateDB: IStateDB | null,
    registry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    completions: ICompletionProviderManager | null
  ) => {
    const settings = await LiveSettings.load(registry);
    const kernels = new KernelContext();

    const session = new ChatSession({
      context: () =>
        kernels.get(notebooks.currentWidget?.sessionContext.session),
      store: stateDbStore(stateDB)
    });
    session.followSettings(settings);
    // The state database answers only once the workspace is restored: never await it
    // during activation (JupyterLab waits for activation before restoring).
    void app.restored.then(() => session.load());

    const view = new ChatView(session, rendermime, {
      insertBelow: code => void insertBelow(notebooks, code),
      replaceSelection: code => replaceSelection(notebooks, code)
    });
    view.title.icon = CHAT_ICON;
    app.shell.add(view, 'right', { rank: 900 });
    addCommands(app, view, notebooks, palette);

    NotebookActions.executed.connect((_, { cell, success }) => {
      const report = success ? null : errorReport(cell);
      if (!report) {
        return;
      }
      const explain = () => {
        app.shell.activateById(view.id);
        void session.explain(report);
      };
      if (settings.current.autoExplain) {
        explain();
      } else {
        addExplainButton(cell, explain);
      }
    });

    completions?.registerInlineProvider(
      new IbisInlineProvider(settings, {
        context: ({ session }) => kernels.get(session),
        cells: ({ widget }) =>
          widget instanceof NotebookPanel ? notebookCells(widget) : []
      })
    );
  }
};
