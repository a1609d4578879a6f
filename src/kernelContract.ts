/**
 * The kernel ↔ frontend contract: the only Python the frontend runs silently in a
 * notebook's kernel. Both calls go to `ibis_copilot.kernel.frontend`, which only reads
 * the namespace (names and attributes); neither runs user code nor calls anything the
 * user defined.
 */

const MODULE = 'ibis_copilot.kernel.frontend';

/**
 * A `user_expressions` entry whose `application/json` repr describes the notebook's Ibis
 * tables: `{"schemas": "<text, one line per table>", "tables": {"<variable>": {"name":
 * "<table name>", "schema": {"<column>": "<type>"}}}, "imports": ["import ibis.selectors
 * as s", ...]}`.
 */
export const NOTEBOOK_CONTEXT_EXPRESSION = `__import__('${MODULE}', fromlist=['notebook_context']).notebook_context()`;

/**
 * Code that displays (text/markdown) the SQL of the Ibis expression named `name` (a
 * variable or a dotted attribute path, see `isNamePath`) for its backend, with the
 * dialect portability table; or prints a one-line reason to stderr. A JSON string is a
 * valid Python string literal.
 */
export function showSqlCode(name: string): string {
  return `__import__('${MODULE}', fromlist=['show_sql']).show_sql(${JSON.stringify(name)})`;
}

/**
 * Code that registers the `%%ibis_sql` magic in the kernel (and nothing else: no error
 * hook), so that a visible `%%ibis_sql` cell works before `%load_ext ibis_copilot`.
 */
export const ENABLE_SQL_MAGIC_CODE = `__import__('${MODULE}', fromlist=['enable_sql_magic']).enable_sql_magic()`;

/** One Ibis table of the notebook's namespace. */
export interface ITableInfo {
  /** The table's own name (`ibis.table(..., name=...)`). */
  name: string;
  /** Column name → Ibis type. */
  schema: Record<string, string>;
}

/** What the kernel tells the assistant about the notebook (names and types, no data). */
export interface INotebookContext {
  /** The tables as text, one line per table: what the server's prompts take. */
  schemas: string;
  /** The same tables, structured, by variable name. */
  tables: Record<string, ITableInfo>;
  /** The Ibis modules and names the namespace imported (`import ibis.selectors as s`). */
  imports: string[];
}

export const EMPTY_CONTEXT: INotebookContext = {
  schemas: '',
  tables: {},
  imports: []
};

/** The notebook context from `NOTEBOOK_CONTEXT_EXPRESSION`'s JSON (lenient). */
export function parseNotebookContext(json: unknown): INotebookContext {
  const value = (json ?? {}) as {
    schemas?: unknown;
    tables?: unknown;
    imports?: unknown;
  };
  const tables: Record<string, ITableInfo> = {};
  if (value.tables && typeof value.tables === 'object') {
    for (const [variable, raw] of Object.entries(value.tables)) {
      const table = raw as { name?: unknown; schema?: unknown } | null;
      if (!table || typeof table.schema !== 'object' || !table.schema) {
        continue;
      }
      tables[variable] = {
        name: typeof table.name === 'string' ? table.name : variable,
        schema: Object.fromEntries(
          Object.entries(table.schema).map(([column, type]) => [
            column,
            String(type)
          ])
        )
      };
    }
  }
  const imports = Array.isArray(value.imports)
    ? value.imports.filter((line): line is string => typeof line === 'string')
    : [];
  return {
    schemas: typeof value.schemas === 'string' ? value.schemas : '',
    tables,
    imports
  };
}
