import {
  EMPTY_CONTEXT,
  ENABLE_SQL_MAGIC_CODE,
  NOTEBOOK_CONTEXT_EXPRESSION,
  parseNotebookContext,
  showSqlCode
} from '../kernelContract';

// These strings are the contract with `ibis_copilot.kernel.frontend`: change them only
// together with the Python side.
describe('kernel contract', () => {
  it('reads the notebook context through notebook_context()', () => {
    expect(NOTEBOOK_CONTEXT_EXPRESSION).toBe(
      "__import__('ibis_copilot.kernel.frontend', fromlist=['notebook_context']).notebook_context()"
    );
  });

  it('registers the %%ibis_sql magic through enable_sql_magic()', () => {
    expect(ENABLE_SQL_MAGIC_CODE).toBe(
      "__import__('ibis_copilot.kernel.frontend', fromlist=['enable_sql_magic']).enable_sql_magic()"
    );
  });

  it('shows SQL through show_sql() with the name as one safe string literal', () => {
    expect(showSqlCode('tables.orders')).toBe(
      "__import__('ibis_copilot.kernel.frontend', fromlist=['show_sql']).show_sql(\"tables.orders\")"
    );
    expect(showSqlCode('a"b\\c')).toBe(
      "__import__('ibis_copilot.kernel.frontend', fromlist=['show_sql']).show_sql(\"a\\\"b\\\\c\")"
    );
  });

  it('parses the context: schema text and structured tables', () => {
    const context = parseNotebookContext({
      schemas: 'orders(id: int64, amount: float64)',
      tables: {
        t: { name: 'orders', schema: { id: 'int64', amount: 'float64' } },
        broken: { name: 'x' }
      },
      imports: ['import ibis.selectors as s', 3]
    });
    expect(context).toEqual({
      schemas: 'orders(id: int64, amount: float64)',
      tables: {
        t: { name: 'orders', schema: { id: 'int64', amount: 'float64' } }
      },
      imports: ['import ibis.selectors as s']
    });
  });

  it('gives an empty context for anything else', () => {
    expect(parseNotebookContext(null)).toEqual(EMPTY_CONTEXT);
    expect(
      parseNotebookContext({ schemas: 3, tables: 'x', imports: 'x' })
    ).toEqual(EMPTY_CONTEXT);
    expect(parseNotebookContext({ schemas: 's' })).toEqual({
      ...EMPTY_CONTEXT,
      schemas: 's'
    });
  });
});
