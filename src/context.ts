/** What the assistant is sent about the notebook: bounded, names and types only. */

import { INotebookContext, ITableInfo } from './kernelContract';

export const MAX_CELLS = 8;
export const MAX_CELL_CHARS = 2000;
export const MAX_AFFIX_CHARS = 4000;
/** The server refuses more tables, or a table with more columns (request_parts.py). */
export const MAX_TABLES = 50;
export const MAX_COLUMNS = 500;
/** The tables' JSON stays well under the server's 256 KiB body limit. */
export const MAX_TABLES_CHARS = 100_000;
/** The server refuses more import lines (request_parts.py). */
export const MAX_IMPORTS = 50;

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
  /** The tables as data (`notebook_context()`'s `tables`), for the completion check. */
  tables: Record<string, ITableInfo>;
  language: string;
}

/**
 * The tables a request may carry: whole tables only, in the kernel's order, as many as
 * the server takes. A table is left out rather than cut short, since missing columns
 * would make the server's check report real names as unknown.
 */
export function requestTables(
  tables: Record<string, ITableInfo>
): Record<string, ITableInfo> {
  const kept: Record<string, ITableInfo> = {};
  let count = 0;
  let chars = 2;
  for (const [variable, table] of Object.entries(tables)) {
    const size = JSON.stringify({ [variable]: table }).length;
    if (
      count >= MAX_TABLES ||
      Object.keys(table.schema).length > MAX_COLUMNS ||
      chars + size > MAX_TABLES_CHARS
    ) {
      continue;
    }
    kept[variable] = table;
    count += 1;
    chars += size;
  }
  return kept;
}

/** The notebook's schemas as a request sends them: text, tables and the kernel's Ibis
 * imports (so that `s.numeric` is known to be a selector), or nothing. */
export function requestContext(
  context: INotebookContext,
  sendSchemas: boolean
): {
  schemas: string;
  tables: Record<string, ITableInfo>;
  imports: string[];
} {
  return sendSchemas
    ? {
        schemas: context.schemas,
        tables: requestTables(context.tables),
        imports: context.imports.slice(0, MAX_IMPORTS)
      }
    : { schemas: '', tables: {}, imports: [] };
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
  context: INotebookContext,
  settings: IContextSettings
): ICompletionBody | null {
  if (!text.trim() || !isPython(mimeType)) {
    return null;
  }
  const { schemas, tables } = requestContext(context, settings.sendSchemas);
  return {
    prefix: text.slice(0, offset).slice(-MAX_AFFIX_CHARS),
    suffix: text.slice(offset).slice(0, MAX_AFFIX_CHARS),
    cells: settings.sendCells ? cells : [],
    schemas,
    tables,
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
