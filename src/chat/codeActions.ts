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

/** The bar of buttons that acts on `code` (put above its block). */
export function codeActionBar(code: string, target: ICodeTarget): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'jp-IbisCopilot-codeActions';
  for (const action of codeActions(code, target)) {
    const button = document.createElement('button');
    button.className = 'jp-IbisCopilot-codeAction';
    button.textContent = action.label;
    button.onclick = () => action.run();
    bar.appendChild(button);
  }
  return bar;
}
