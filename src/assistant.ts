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
import { LabIcon } from '@jupyterlab/ui-components';
import { Cell, CodeCell } from '@jupyterlab/cells';

import { ChatPanel, IErrorReport } from './chat/panel';
import { IChatState, restoreState } from './chat/state';
import { IbisInlineProvider } from './completion';
import { involvesIbis, plainTraceback } from './context';
import { KernelSchemas } from './kernel';
import { liveSettings } from './settings';
import { compileInKernel } from './sql';

const STATE_KEY = 'ibis-copilot:chat';
export const COMMANDS = {
  openChat: 'ibis-copilot:open-chat',
  explainCell: 'ibis-copilot:explain-cell',
  showSql: 'ibis-copilot:show-sql'
};

const ICON = new LabIcon({
  name: 'ibis-copilot:chat',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" ' +
    'd="M4 4h16v11H8l-4 4V4zm4 4v2h8V8H8zm0 3v2h5v-2H8z"/></svg>'
});

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
    const settings = await liveSettings(registry);
    const schemas = new KernelSchemas();
    let restored = false; // never save over the stored conversation before it is read

    const panel = new ChatPanel(
      {
        rendermime,
        schemas: () =>
          schemas.get(notebooks.currentWidget?.sessionContext.session),
        insertBelow: code => insertBelow(notebooks, code),
        replaceSelection: code =>
          notebooks.activeCell?.editor?.replaceSelection?.(code),
        save: (state: IChatState) => {
          if (restored) {
            void stateDB?.save(STATE_KEY, state as any).catch(() => undefined);
          }
        }
      },
      restoreState(null)
    );
    // The state database answers only once the workspace is restored: never await it
    // during activation (JupyterLab waits for activation before restoring).
    void app.restored.then(async () => {
      const saved = stateDB
        ? await stateDB.fetch(STATE_KEY).catch(() => null)
        : null;
      panel.restore(restoreState(saved));
      restored = true;
    });
    panel.title.icon = ICON;
    panel.sendSchemas = settings().sendSchemas;
    app.shell.add(panel, 'right', { rank: 900 });

    app.commands.addCommand(COMMANDS.openChat, {
      label: 'Ibis Copilot: Open chat',
      icon: ICON,
      execute: () => {
        app.shell.activateById(panel.id);
        panel.focusInput();
      }
    });
    app.commands.addCommand(COMMANDS.explainCell, {
      label: 'Ibis Copilot: Explain the error in this cell',
      execute: () => {
        const report = errorReport(notebooks.activeCell);
        if (report) {
          app.shell.activateById(panel.id);
          void panel.explain(report);
        }
      }
    });
    app.commands.addCommand(COMMANDS.showSql, {
      label: 'Ibis Copilot: Show SQL for selection',
      execute: async () => {
        const kernel = notebooks.currentWidget?.sessionContext.session?.kernel;
        const code = selectedCode(notebooks);
        if (!kernel || !code.trim()) {
          return;
        }
        app.shell.activateById(panel.id);
        panel.showAnswer(
          `SQL for:\n\n\`\`\`python\n${code}\n\`\`\``,
          await compileInKernel(kernel, code)
        );
      }
    });
    app.contextMenu.addItem({
      command: COMMANDS.showSql,
      selector: '.jp-Notebook .jp-CodeCell',
      rank: 20
    });
    palette?.addItem({ command: COMMANDS.showSql, category: 'Ibis Copilot' });
    palette?.addItem({ command: COMMANDS.openChat, category: 'Ibis Copilot' });
    palette?.addItem({
      command: COMMANDS.explainCell,
      category: 'Ibis Copilot'
    });

    NotebookActions.executed.connect((_, { cell, success }) => {
      const report = success ? null : errorReport(cell);
      if (!report) {
        return;
      }
      if (settings().autoExplain) {
        app.shell.activateById(panel.id);
        void panel.explain(report);
      } else {
        addExplainButton(cell, () => {
          app.shell.activateById(panel.id);
          void panel.explain(report);
        });
      }
    });

    completions?.registerInlineProvider(
      new IbisInlineProvider(schemas, settings)
    );
  }
};

/** The active cell's selected text, or the whole cell when nothing is selected. */
function selectedCode(notebooks: INotebookTracker): string {
  const cell = notebooks.activeCell;
  const editor = cell?.editor;
  if (!cell || !editor) {
    return '';
  }
  const source = cell.model.sharedModel.getSource();
  const selection = editor.getSelection();
  const start = editor.getOffsetAt(selection.start);
  const end = editor.getOffsetAt(selection.end);
  return start === end
    ? source
    : source.slice(Math.min(start, end), Math.max(start, end));
}

function insertBelow(notebooks: INotebookTracker, code: string): void {
  const current: NotebookPanel | null = notebooks.currentWidget;
  if (!current) {
    return;
  }
  NotebookActions.insertBelow(current.content);
  current.content.activeCell?.model.sharedModel.setSource(
    code.replace(/\n$/, '')
  );
}

/** The failing cell as an explain request, when its error involves Ibis. */
function errorReport(cell: Cell | null): IErrorReport | null {
  if (!(cell instanceof CodeCell)) {
    return null;
  }
  const code = cell.model.sharedModel.getSource();
  const outputs = cell.model.outputs;
  for (let index = 0; index < outputs.length; index++) {
    const output = outputs.get(index).toJSON() as any;
    if (output.output_type !== 'error') {
      continue;
    }
    const traceback: string[] = output.traceback ?? [];
    if (!involvesIbis(traceback, code)) {
      return null;
    }
    return {
      code,
      error_type: String(output.ename),
      message: String(output.evalue),
      traceback: plainTraceback(traceback)
    };
  }
  return null;
}

function addExplainButton(cell: Cell, explain: () => void): void {
  if (!(cell instanceof CodeCell)) {
    return;
  }
  const area = cell.outputArea.node;
  area.querySelector('.jp-IbisCopilot-explain')?.remove();
  const button = document.createElement('button');
  button.className = 'jp-IbisCopilot-explain jp-mod-styled';
  button.textContent = 'Explain with Ibis Copilot';
  button.onclick = explain;
  area.appendChild(button);
}
