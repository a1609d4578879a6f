import {
  completionBody,
  earlierCells,
  involvesIbis,
  MAX_AFFIX_CHARS,
  MAX_CELLS,
  plainTraceback
} from '../context';

const ALL = { sendSchemas: true, sendCells: true };

describe('completion context', () => {
  it('splits the cell at the cursor and sends schemas and cells', () => {
    const body = completionBody(
      't.filter(\nx',
      9,
      'text/x-ipython',
      ['a = 1'],
      's: t',
      ALL
    );
    expect(body).toEqual({
      prefix: 't.filter(',
      suffix: '\nx',
      cells: ['a = 1'],
      schemas: 's: t',
      language: 'python'
    });
  });

  it('asks nothing for empty or non-Python cells', () => {
    expect(completionBody('   ', 1, 'text/x-ipython', [], '', ALL)).toBeNull();
    expect(completionBody('SELECT 1', 8, 'text/x-sql', [], '', ALL)).toBeNull();
  });

  it('leaves out what the settings turn off, and bounds the prefix', () => {
    const long = 'x'.repeat(MAX_AFFIX_CHARS + 50);
    const body = completionBody(
      long,
      long.length,
      'text/x-python',
      ['a'],
      's',
      {
        sendSchemas: false,
        sendCells: false
      }
    );
    expect(body?.cells).toEqual([]);
    expect(body?.schemas).toBe('');
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
