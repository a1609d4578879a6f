/**
 * "Show SQL for selection" never runs the user's code out of sight.
 *
 * Decision: a selection that is just a name or a dotted attribute path (`expr`,
 * `tables.orders`), once trimmed, is compiled silently through the kernel contract's
 * `show_sql`, which only looks the name and attributes up (nothing is called, nothing
 * runs), and the SQL and portability table show in the chat. Anything else (a call, an
 * assignment, several lines) could have side effects, so it goes into a new, visible
 * code cell below the active one, `%%ibis_sql` followed by the selection, and runs
 * there: the user sees exactly what runs, and its output, in the notebook.
 */

/** A Python name or a dotted attribute path, nothing else. */
export const NAME_PATH = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** What Show SQL does with a selection. */
export type ShowSqlPlan =
  | { kind: 'lookup'; name: string }
  | { kind: 'cell'; source: string }
  | { kind: 'nothing' };

/** True when `selection` (trimmed) only names a value: looking it up runs nothing. */
export function isNamePath(selection: string): boolean {
  return NAME_PATH.test(selection.trim());
}

/** How to show the SQL for `selection` (see the module's comment). */
export function planShowSql(selection: string): ShowSqlPlan {
  const trimmed = selection.trim();
  if (!trimmed) {
    return { kind: 'nothing' };
  }
  if (isNamePath(trimmed)) {
    return { kind: 'lookup', name: trimmed };
  }
  return { kind: 'cell', source: `%%ibis_sql\n${dedent(selection)}` };
}

/** The lines without surrounding blank lines and without their common indentation. */
export function dedent(text: string): string {
  const lines = text
    .replace(/^\s*\n/, '')
    .trimEnd()
    .split('\n');
  const indents = lines
    .filter(line => line.trim())
    .map(line => line.length - line.trimStart().length);
  const common = Math.min(...indents);
  return lines.map(line => line.slice(common)).join('\n');
}
