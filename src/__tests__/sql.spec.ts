import { dedent, isNamePath, planShowSql } from '../sql';

// Show SQL never runs the user's code out of sight: a name or dotted path is only
// looked up (silently, through the kernel contract); anything else becomes a visible
// `%%ibis_sql` cell below the active one.
describe('Show SQL for selection', () => {
  it('looks up names and dotted attribute paths silently', () => {
    expect(planShowSql('expr')).toEqual({ kind: 'lookup', name: 'expr' });
    expect(planShowSql('  tables.orders_2024\n')).toEqual({
      kind: 'lookup',
      name: 'tables.orders_2024'
    });
    expect(isNamePath('_private.x1')).toBe(true);
  });

  it('puts anything that could run code into a visible %%ibis_sql cell', () => {
    for (const selection of [
      't.filter(t.a > 1)',
      'expr = t.select("a")',
      't["a"]',
      'a.b.',
      '1abc',
      'x\ny',
      'import os; os.remove("f")'
    ]) {
      expect(isNamePath(selection)).toBe(false);
      expect(planShowSql(selection)).toEqual({
        kind: 'cell',
        source: `%%ibis_sql\n${selection}`
      });
    }
  });

  it('keeps the selected lines but drops their common indentation', () => {
    expect(
      planShowSql('\n    t = t.mutate(b=1)\n    t.filter(t.b > 0)\n  ')
    ).toEqual({
      kind: 'cell',
      source: '%%ibis_sql\nt = t.mutate(b=1)\nt.filter(t.b > 0)'
    });
    expect(dedent('  if x:\n      y\n')).toBe('if x:\n    y');
  });

  it('does nothing for an empty selection', () => {
    expect(planShowSql('  \n ')).toEqual({ kind: 'nothing' });
  });
});
