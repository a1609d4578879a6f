/** Where a code block of an answer can go. */
export interface ICodeTarget {
  /** Put `code` in a new cell below the active one. */
  insertBelow(code: string): void;
  /** Replace the active cell's selection with `code`. */
  replaceSelection(code: string): void;
  /** Copy `code` to the clipboard (default: the browser's clipboard). */
  copy?(code: string): void;
}

/** One button over a code block. */
export interface ICodeAction {
  label: string;
  run(): void;
}

/** The actions offered on a code block: Copy, Insert below, Replace selection. */
export function codeActions(code: string, target: ICodeTarget): ICodeAction[] {
  const copy =
    target.copy ??
    ((text: string) => void navigator.clipboard?.writeText(text));
  return [
    { label: 'Copy', run: () => copy(code) },
    { label: 'Insert below', run: () => target.insertBelow(code) },
    { label: 'Replace selection', run: () => target.replaceSelection(code) }
  ];
}

/** Put the actions' buttons above each code block (`pre`) under `root`. */
export function addCodeActions(root: HTMLElement, target: ICodeTarget): void {
  root.querySelectorAll('pre').forEach(pre => {
    const bar = document.createElement('div');
    bar.className = 'jp-IbisCopilot-codeActions';
    for (const action of codeActions(pre.textContent ?? '', target)) {
      const button = document.createElement('button');
      button.className = 'jp-IbisCopilot-codeAction';
      button.textContent = action.label;
      button.onclick = () => action.run();
      bar.appendChild(button);
    }
    pre.before(bar);
  });
}
