import { showSqlCode } from '../sql';

describe('Show SQL', () => {
  it('passes the selection to the kernel as one safe string literal', () => {
    const code = 't.filter(t.name == "it\'s")\n# done \\ ok';
    const python = showSqlCode(code);
    expect(python).toBe(
      "__import__('ibis_copilot.kernel.magics', fromlist=['show_sql_report'])" +
        '.show_sql_report(get_ipython(), "t.filter(t.name == \\"it\'s\\")\\n# done \\\\ ok")'
    );
  });
});
