/** What the assistant is sent about the notebook: bounded, text only. */

export const MAX_CELLS = 8;
export const MAX_CELL_CHARS = 2000;
export const MAX_AFFIX_CHARS = 4000;

/** The settings that decide what context is sent. */
export interface IContextSettings {
  sendSchemas: boolean;
  sendCells: boolean;
}

/** The body of `POST /ibis-copilot/complete`. */
export interface ICompletionBody {
  prefix: string;
  suffix: string;
  cells: string[];
  schemas: string;
  language: string;
}

/** The earlier cells nearest the cursor, newest last, each and all bounded. */
export function earlierCells(sources: string[], activeIndex: number): string[] {
  return sources
    .slice(Math.max(0, activeIndex - MAX_CELLS), Math.max(0, activeIndex))
    .filter(source => source.trim())
    .map(source => source.slice(-MAX_CELL_CHARS));
}

/**
 * The completion request for a cursor at `offset` in `text`, or null when nothing
 * should be asked (an empty cell, or a language other than Python).
 */
export function completionBody(
  text: string,
  offset: number,
  mimeType: string,
  cells: string[],
  schemas: string,
  settings: IContextSettings
): ICompletionBody | null {
  if (!text.trim() || !isPython(mimeType)) {
    return null;
  }
  return {
    prefix: text.slice(0, offset).slice(-MAX_AFFIX_CHARS),
    suffix: text.slice(offset).slice(0, MAX_AFFIX_CHARS),
    cells: settings.sendCells ? cells : [],
    schemas: settings.sendSchemas ? schemas : '',
    language: 'python'
  };
}

/** True for Python cells (IPython's mime types included). */
export function isPython(mimeType: string): boolean {
  return /python/i.test(mimeType);
}

/** Whether an error's traceback comes from Ibis (the Explain button's condition). */
export function involvesIbis(traceback: string[], code: string): boolean {
  return (
    traceback.some(line => /[/\\]ibis[/\\]/.test(line)) || /\bibis\b/.test(code)
  );
}

/** Traceback lines without ANSI colour codes. */
export function plainTraceback(traceback: string[]): string {
  const ansi = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');
  return traceback.map(line => line.replace(ansi, '')).join('\n');
}
