import { expect, test } from '@jupyterlab/galata';

test('a failing Ibis cell gets an Explain button that streams into the chat; its code inserts below', async ({
  page
}) => {
  await page.notebook.createNew('explain.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    "import ibis\nt = ibis.table({'amount': 'float64'}, name='t')\nt.amout.sum()"
  );
  await page.notebook.run();
  const button = page.getByRole('button', {
    name: 'Explain with Ibis Copilot'
  });
  await expect(button).toBeVisible();
  await button.click();

  const chat = page.locator('#ibis-copilot-chat');
  await expect(chat.locator('.jp-IbisCopilot-user').last()).toContainText(
    'AttributeError'
  );
  const answer = chat.locator('.jp-IbisCopilot-assistant').last();
  await expect(chat.locator('.jp-IbisCopilot-send')).toHaveText('Send', {
    timeout: 90000
  });
  expect((await answer.innerText()).trim().length).toBeGreaterThan(0);
  await page.screenshot({ path: test.info().outputPath('explain.png') });

  const insert = answer.getByRole('button', { name: 'Insert below' }).first();
  if ((await insert.count()) > 0) {
    const code = (await answer.locator('pre').first().innerText()).trim();
    await insert.click();
    await expect
      .poll(async () => (await page.notebook.getCellCount()) ?? 0)
      .toBe(2);
    expect(((await page.notebook.getCellTextInput(1)) ?? '').trim()).toBe(code);
  } else {
    test.info().annotations.push({
      type: 'model',
      description:
        'the small model wrote no code block for this error; nothing to insert'
    });
  }
});

test("Explain shows the rules' diagnosis and their checked fix before the model's text", async ({
  page
}) => {
  await page.notebook.createNew('diagnosis.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    "import ibis\nt = ibis.table({'amount': 'float64', 'country': 'string'}, name='orders')\nt.amout.sum()"
  );
  await page.notebook.run();
  const button = page.getByRole('button', {
    name: 'Explain with Ibis Copilot'
  });
  await expect(button).toBeVisible();
  await button.click();

  // The rules run (and the fix is checked in the check process) before the model
  // writes; nothing here depends on the model's own text.
  const chat = page.locator('#ibis-copilot-chat');
  const diagnosis = chat
    .locator('.jp-IbisCopilot-assistant')
    .last()
    .locator('.jp-IbisCopilot-diagnosis');
  await expect(diagnosis).toBeVisible({ timeout: 30000 });
  await expect(diagnosis.locator('.jp-IbisCopilot-findings')).toContainText(
    'amount'
  );
  const badge = diagnosis.locator('.jp-IbisCopilot-verdict');
  await expect(badge).toHaveAttribute('data-verdict', 'repaired');
  await expect(badge).toContainText('repaired');
  await expect(badge).not.toContainText('not checked');
  await expect(badge.locator('details[open]')).toContainText('+t.amount.sum()');
  await expect(diagnosis.locator('pre').first()).toContainText(
    't.amount.sum()'
  );
  await page.screenshot({ path: test.info().outputPath('diagnosis.png') });

  await diagnosis.getByRole('button', { name: 'Insert below' }).click();
  await expect
    .poll(async () => (await page.notebook.getCellCount()) ?? 0)
    .toBe(2);
  expect(await page.notebook.getCellTextInput(1)).toContain('t.amount.sum()');
  expect(await page.notebook.getCellTextInput(1)).not.toContain('amout');

  const send = chat.locator('.jp-IbisCopilot-send');
  if ((await send.textContent()) === 'Stop') {
    await send.click();
  }
  await expect(send).toHaveText('Send');
});

/** Answer `/ibis-copilot/complete` with fixed events: the browser side of completions,
 * independent of what the small model happens to write (the real model's completions
 * are tested in tests/test_complete.py). */
async function fixedCompletion(page: any, events: object[]): Promise<void> {
  await page.route(/\/ibis-copilot\/complete(\?|$)/, (route: any) =>
    route.fulfill({
      status: 200,
      contentType: 'application/x-ndjson',
      body: events.map(event => JSON.stringify(event)).join('\n') + '\n'
    })
  );
}

async function typeAfterTable(page: any, name: string): Promise<void> {
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', 'import ibis\n');
  await page.notebook.enterCellEditingMode(0);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(
    't = ibis.table({"a": "int64"}, name="t")\nt.filter(',
    { delay: 20 }
  );
}

test('a checked completion shows as ghost text, and Tab accepts it', async ({
  page
}) => {
  await fixedCompletion(page, [
    { type: 'token', text: 't.a > 1)' },
    { type: 'done', completion: 't.a > 1)', withheld: null, candidates: 1 }
  ]);
  await typeAfterTable(page, 'complete.ipynb');
  const ghost = page.locator('.jp-GhostText');
  await expect(ghost).toHaveText('t.a > 1)', { timeout: 30000 });
  await page.keyboard.press('Tab');
  await expect(ghost).toHaveCount(0);
  const text = (await page.notebook.getCellTextInput(0)) ?? '';
  expect(text).toContain('t.filter(t.a > 1)');
  await page.screenshot({ path: test.info().outputPath('completion.png') });
});

test('a withheld completion shows no ghost text', async ({ page }) => {
  const answered = page.waitForResponse(/\/ibis-copilot\/complete(\?|$)/, {
    timeout: 30000
  });
  await fixedCompletion(page, [
    { type: 'token', text: "Here's a Python function that " },
    {
      type: 'done',
      completion: '',
      withheld: 'the completed cell does not parse (invalid syntax)',
      candidates: 1
    }
  ]);
  await typeAfterTable(page, 'withheld.ipynb');
  await answered;
  await page.waitForTimeout(1000);
  // JupyterLab may keep an empty ghost element; it must show no text. (That tokens never
  // show before the closing event is tested in src/__tests__/completion.spec.ts.)
  const shown = await page.locator('.jp-GhostText').allTextContents();
  expect(shown.join('')).toBe('');
});
