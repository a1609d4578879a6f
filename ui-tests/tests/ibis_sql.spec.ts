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

// Show SQL for selection never runs the user's code out of sight: a name or a dotted
// attribute path is only looked up in the kernel (silently), and its SQL shows in the
// chat; anything else becomes a visible `%%ibis_sql` cell below, run like any cell.
test.describe('Show SQL for selection', () => {
  test('a dotted name compiles silently and shows SQL and portability in the chat', async ({
    page
  }) => {
    await page.notebook.createNew('show_sql_name.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      [
        'import types',
        'import ibis',
        "t = ibis.table({'a': 'int64', 'b': 'string'}, name='t')",
        'views = types.SimpleNamespace(big=t.filter(t.a > 1))'
      ].join('\n')
    );
    await page.notebook.run();
    await page.notebook.addCell('code', 'views.big');
    await page.notebook.selectCells(1);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('ibis-copilot:show-sql');
    });

    const chat = page.locator('#ibis-copilot-chat');
    await expect(chat.locator('.jp-IbisCopilot-user').last()).toContainText(
      'views.big'
    );
    const answer = chat.locator('.jp-IbisCopilot-assistant').last();
    await expect(answer).toContainText('"t0"."a" > 1');
    await expect(answer).toContainText('Compiles for');
    await expect(answer.locator('table')).toBeVisible();
    // Nothing ran in the notebook: no new cell, and the selected cell never ran.
    expect(await page.notebook.getCellCount()).toBe(2);
    await expect(
      page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.jp-InputPrompt')
    ).toHaveText('[ ]:');
  });

  test('a call expression becomes a visible %%ibis_sql cell below, run there', async ({
    page
  }) => {
    await page.notebook.createNew('show_sql_call.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      [
        '%load_ext ibis_copilot',
        'import ibis',
        "t = ibis.table({'a': 'int64', 'b': 'string'}, name='t')"
      ].join('\n')
    );
    await page.notebook.run();
    await page.notebook.addCell('code', 't.filter(t.a > 1)');
    await page.notebook.selectCells(1);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('ibis-copilot:show-sql');
    });

    await expect
      .poll(async () => (await page.notebook.getCellCount()) ?? 0)
      .toBe(3);
    expect(await page.notebook.getCellTextInput(2)).toBe(
      '%%ibis_sql\nt.filter(t.a > 1)'
    );
    const cell = page.locator('.jp-Notebook .jp-Cell').nth(2);
    await expect(cell.locator('.jp-OutputArea-output')).toContainText(
      '"t0"."a" > 1'
    );
    await expect(
      page.locator('#ibis-copilot-chat .jp-IbisCopilot-message')
    ).toHaveCount(0);
    await page.screenshot({
      path: test.info().outputPath('show-sql-cell.png')
    });
  });
});
