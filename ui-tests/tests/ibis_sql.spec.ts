import { expect, test } from '@jupyterlab/galata';

test('%%ibis_sql shows highlighted SQL in a notebook', async ({ page }) => {
  await page.notebook.createNew('ibis_sql.ipynb');
  await page.notebook.setCell(0, 'code', '%load_ext ibis_copilot');
  await page.notebook.addCell(
    'code',
    [
      '%%ibis_sql --dialect postgres',
      'import ibis',
      "t = ibis.table({'a': 'int64', 'b': 'string'}, name='t')",
      't.filter(t.a > 1).select("b")'
    ].join('\n')
  );
  await page.notebook.run();

  const output = page.locator('.jp-OutputArea-output').last();
  await expect(output.locator('strong')).toHaveText('postgres');
  const code = output.locator('pre code');
  await expect(code).toContainText('"t0"."a" > 1');
  // JupyterLab highlights the fenced sql block: keywords get their own token spans.
  await expect(code.locator('span').first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('ibis-sql.png') });
});
