import {
  completionBody,
  earlierCells,
  involvesIbis,
  MAX_AFFIX_CHARS,
  MAX_CELLS,
  MAX_COLUMNS,
  MAX_TABLES,
  MAX_TABLES_CHARS,
  plainTraceback,
  requestContext,
  requestTables
} from '../context';
import { ITableInfo } from '../kernelContract';

const ALL = { sendSchemas: true, sendCells: true };
const TABLES = { t: { name: 'orders', schema: { a: 'int64' } } };
const CONTEXT = {
  schemas: 's: t',
  tables: TABLES,
  imports: ['import ibis.selectors as s']
};

describe('completion context', () => {
  it('splits the cell at the cursor and sends schemas and cells', () => {
    const body = completionBody(
      't.filter(\nx',
      9,
      'text/x-ipython',
      ['a = 1'],
      CONTEXT,
      ALL
    );
    expect(body).toEqual({
      prefix: 't.filter(',
      suffix: '\nx',
      cells: ['a = 1'],
      schemas: 's: t',
      tables: TABLES,
      language: 'python'
    });
  });

  it('asks nothing for empty or non-Python cells', () => {
    expect(
      completionBody('   ', 1, 'text/x-ipython', [], CONTEXT, ALL)
    ).toBeNull();
    expect(
      completionBody('SELECT 1', 8, 'text/x-sql', [], CONTEXT, ALL)
    ).toBeNull();
  });

  it('leaves out what the settings turn off, and bounds the prefix', () => {
    const long = 'x'.repeat(MAX_AFFIX_CHARS + 50);
    const body = completionBody(
      long,
      long.length,
      'text/x-python',
      ['a'],
      CONTEXT,
      {
        sendSchemas: false,
        sendCells: false
      }
    );
    expect(body?.cells).toEqual([]);
    expect(body?.schemas).toBe('');
    expect(body?.tables).toEqual({});
    expect(body?.prefix.length).toBe(MAX_AFFIX_CHARS);
  });

  it('takes the nearest earlier non-empty cells only', () => {
    const sources = Array.from({ length: 20 }, (_, i) =>
      i === 15 ? ' ' : `cell ${i}`
    );
    const cells = earlierCells(sources, 18);
    expect(cells.length).toBe(MAX_CELLS - 1);
    expect(cells[cells.length - 1]).toBe('cell 17');
    expect(cells).not.toContain('cell 18');
  });
});

describe('tables sent with requests', () => {
  it('sends the text and the tables, or neither when schemas are off', () => {
    expect(requestContext(CONTEXT, true)).toEqual(CONTEXT);
    expect(requestContext(CONTEXT, false)).toEqual({
      schemas: '',
      tables: {},
      imports: []
    });
  });

  it('keeps whole tables only, as many as the server takes', () => {
    const table = (columns: number): ITableInfo => ({
      name: 'x',
      schema: Object.fromEntries(
        Array.from({ length: columns }, (_, i) => [`c${i}`, 'int64'])
      )
    });
    const many = Object.fromEntries(
      Array.from({ length: MAX_TABLES + 5 }, (_, i) => [`t${i}`, table(2)])
    );
    const kept = requestTables(many);
    expect(Object.keys(kept)).toHaveLength(MAX_TABLES);
    expect(kept.t0).toEqual(table(2));

    const wide = requestTables({ wide: table(MAX_COLUMNS + 1), t: table(1) });
    expect(Object.keys(wide)).toEqual(['t']);

    const big = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`t${i}`, table(MAX_COLUMNS)])
    );
    const bounded = requestTables(big);
    expect(Object.keys(bounded).length).toBeGreaterThan(0);
    expect(Object.keys(bounded).length).toBeLessThan(20);
    expect(JSON.stringify(bounded).length).toBeLessThanOrEqual(
      MAX_TABLES_CHARS
    );
    for (const [variable, kept] of Object.entries(bounded)) {
      expect(kept).toBe(big[variable]);
    }
  });
});

describe('errors', () => {
  it('recognises Ibis tracebacks and strips colours', () => {
    const traceback = [
      '\u001b[0;31mAttributeError\u001b[0m',
      'File /x/site-packages/ibis/expr/types.py'
    ];
    expect(involvesIbis(traceback, 'x = 1')).toBe(true);
    expect(involvesIbis(['ZeroDivisionError'], '1 / 0')).toBe(false);
    expect(plainTraceback(traceback)).toBe(
      'AttributeError\nFile /x/site-packages/ibis/expr/types.py'
    );
  });
});
