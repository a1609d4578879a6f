import { Cell, CodeCell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';

import { earlierCells, involvesIbis, plainTraceback } from './context';
import { IErrorReport } from './chat/state';

/** The active cell's selected text, or the whole cell when nothing is selected. */
export function selectedCode(notebooks: INotebookTracker): string {
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

/** A new code cell below the active one holding `code`; it becomes the active cell. */
export function insertBelow(
  notebooks: INotebookTracker,
  code: string
): NotebookPanel | null {
  const current = notebooks.currentWidget;
  if (!current) {
    return null;
  }
  NotebookActions.insertBelow(current.content);
  if (current.content.activeCell?.model.type !== 'code') {
    NotebookActions.changeCellType(current.content, 'code');
  }
  current.content.activeCell?.model.sharedModel.setSource(
    code.replace(/\n$/, '')
  );
  return current;
}

/** Insert `code` as a new cell below the active one and run it, visibly. */
export async function insertBelowAndRun(
  notebooks: INotebookTracker,
  code: string
): Promise<void> {
  const panel = insertBelow(notebooks, code);
  if (panel) {
    await NotebookActions.run(panel.content, panel.sessionContext);
  }
}

/** Replace the active cell's selection with `code`. */
export function replaceSelection(
  notebooks: INotebookTracker,
  code: string
): void {
  notebooks.activeCell?.editor?.replaceSelection?.(code);
}

/** The earlier cells nearest the active cell of a notebook. */
export function notebookCells(panel: NotebookPanel): string[] {
  const notebook = panel.content;
  const sources = notebook.widgets.map(cell =>
    cell.model.sharedModel.getSource()
  );
  return earlierCells(sources, notebook.activeCellIndex);
}

/** The failing cell as an explain request, when its error involves Ibis. */
export function errorReport(cell: Cell | null): IErrorReport | null {
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

/** The "Explain with Ibis Copilot" button under a failing cell's output. */
export function addExplainButton(cell: Cell, explain: () => void): void {
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
