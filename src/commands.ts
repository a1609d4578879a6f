import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';

import { ChatView } from './chat/view';
import { enableSqlMagic, showSqlInKernel } from './kernel';
import { errorReport, insertBelowAndRun, selectedCode } from './notebook';
import { planShowSql } from './sql';

export const COMMANDS = {
  openChat: 'ibis-copilot:open-chat',
  explainCell: 'ibis-copilot:explain-cell',
  showSql: 'ibis-copilot:show-sql'
};

export const CHAT_ICON = new LabIcon({
  name: 'ibis-copilot:chat',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" ' +
    'd="M4 4h16v11H8l-4 4V4zm4 4v2h8V8H8zm0 3v2h5v-2H8z"/></svg>'
});

/** Open chat, Explain the error in this cell, Show SQL for selection. */
export function addCommands(
  app: JupyterFrontEnd,
  view: ChatView,
  notebooks: INotebookTracker,
  palette: ICommandPalette | null
): void {
  const session = view.session;
  app.commands.addCommand(COMMANDS.openChat, {
    label: 'Ibis Copilot: Open chat',
    icon: CHAT_ICON,
    execute: () => {
      app.shell.activateById(view.id);
      view.focusInput();
    }
  });
  app.commands.addCommand(COMMANDS.explainCell, {
    label: 'Ibis Copilot: Explain the error in this cell',
    execute: () => {
      const report = errorReport(notebooks.activeCell);
      if (report) {
        app.shell.activateById(view.id);
        void session.explain(report);
      }
    }
  });
  app.commands.addCommand(COMMANDS.showSql, {
    label: 'Ibis Copilot: Show SQL for selection',
    execute: async () => {
      // A name is only looked up in the kernel; anything else runs in a visible
      // `%%ibis_sql` cell below (see sql.ts): nothing of the user's runs out of sight.
      const code = selectedCode(notebooks);
      const plan = planShowSql(code);
      const kernel = notebooks.currentWidget?.sessionContext.session?.kernel;
      if (plan.kind === 'cell') {
        if (kernel) {
          await enableSqlMagic(kernel);
        }
        await insertBelowAndRun(notebooks, plan.source);
        return;
      }
      if (plan.kind === 'nothing' || !kernel) {
        return;
      }
      app.shell.activateById(view.id);
      session.showAnswer(
        `SQL for \`${plan.name}\``,
        await showSqlInKernel(kernel, plan.name)
      );
    }
  });
  app.contextMenu.addItem({
    command: COMMANDS.showSql,
    selector: '.jp-Notebook .jp-CodeCell',
    rank: 20
  });
  for (const command of [
    COMMANDS.showSql,
    COMMANDS.openChat,
    COMMANDS.explainCell
  ]) {
    palette?.addItem({ command, category: 'Ibis Copilot' });
  }
}
