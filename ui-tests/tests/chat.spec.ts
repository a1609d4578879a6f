import { expect, test } from '@jupyterlab/galata';

const CHAT = '#ibis-copilot-chat';

test('the chat streams an answer with citations, survives a reload, and starts over', async ({
  page
}) => {
  // The first question loads the CPU model; the citations come with the closing event,
  // after the whole answer and the check of its code blocks.
  test.setTimeout(240000);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('ibis-copilot:open-chat');
  });
  const chat = page.locator(CHAT);
  await expect(chat).toBeVisible();
  await expect(chat).toContainText("Send the notebook's table schemas");

  await chat.locator('textarea').fill('How do I rank rows within each group?');
  await chat.locator('textarea').press('Enter');
  await expect(chat.locator('.jp-IbisCopilot-send')).toHaveText('Stop');
  const answer = chat.locator('.jp-IbisCopilot-assistant').last();
  const link = answer.locator('.jp-IbisCopilot-citations a').first();
  await expect(link).toBeVisible({ timeout: 180000 });
  await expect(link).toHaveAttribute('href', /^https:\/\/ibis-project\.org\//);
  await expect(chat.locator('.jp-IbisCopilot-send')).toHaveText('Send');
  expect((await answer.innerText()).length).toBeGreaterThan(20);
  await page.screenshot({ path: test.info().outputPath('chat-light.png') });

  await page.theme.setDarkTheme();
  await page.screenshot({ path: test.info().outputPath('chat-dark.png') });
  await page.theme.setLightTheme();

  await page.reload();
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('ibis-copilot:open-chat');
  });
  await expect(page.locator(CHAT)).toContainText(
    'How do I rank rows within each group?'
  );

  await page
    .locator(CHAT)
    .getByRole('button', { name: 'New conversation' })
    .click();
  await expect(page.locator(`${CHAT} .jp-IbisCopilot-message`)).toHaveCount(0);
});

test('Stop cancels an answer that is being generated', async ({ page }) => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('ibis-copilot:open-chat');
  });
  const chat = page.locator(CHAT);
  await chat
    .locator('textarea')
    .fill('Write a long tutorial about window functions in Ibis.');
  await chat.locator('textarea').press('Enter');
  await expect(chat.locator('.jp-IbisCopilot-send')).toHaveText('Stop');
  await chat.locator('.jp-IbisCopilot-send').click();
  await expect(chat.locator('.jp-IbisCopilot-note').last()).toHaveText(
    'Stopped.'
  );
  await expect(chat.locator('.jp-IbisCopilot-send')).toHaveText('Send');
});

test('the command palette opens the chat', async ({ page }) => {
  await page.keyboard.press('Control+Shift+C');
  await page.locator('#command-palette input').fill('Ibis Copilot: Open chat');
  await page.keyboard.press('Enter');
  await expect(page.locator(CHAT)).toBeVisible();
});

test('a settings change reaches the open chat at once', async ({ page }) => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('ibis-copilot:open-chat');
  });
  const toggle = page.locator(`${CHAT} .jp-IbisCopilot-context input`);
  await expect(toggle).toBeChecked();
  const setSendSchemas = (value: boolean) =>
    page.evaluate(async value => {
      const registry = await window.galata.getPlugin(
        '@jupyterlab/apputils-extension:settings'
      );
      await registry?.set('ibis-copilot:plugin', 'sendSchemas', value);
    }, value);
  await setSendSchemas(false);
  await expect(toggle).not.toBeChecked();
  await setSendSchemas(true);
  await expect(toggle).toBeChecked();
});

test("the closing event's verdicts badge the answer's code blocks; Insert takes a repair", async ({
  page
}) => {
  // A fixed answer (the model's text is not what this tests): one block of each
  // verdict, and an SQL block the server does not judge.
  const blocks = [
    {
      code: 't.count()',
      verdict: 'checked',
      reason: '',
      unknown_names: [],
      sql: 'SELECT COUNT(*) AS "CountStar(orders)" FROM "orders" AS "t0"',
      original: null,
      change: ''
    },
    {
      code: 't.amout.mean()',
      verdict: 'not_checked',
      reason: "run: AttributeError: 'Table' object has no attribute 'amout'",
      unknown_names: [{ name: 't.amout', kind: 'column', closest: ['amount'] }],
      sql: null,
      original: null,
      change: ''
    },
    {
      code: 't.amount.sum()',
      verdict: 'repaired',
      reason: '`amout` is not a column; did you mean `amount`?',
      unknown_names: [],
      sql: 'SELECT SUM("t0"."amount") AS "Sum(amount)" FROM "orders" AS "t0"',
      original: 't.amout.sum()',
      change:
        '--- written\n+++ repaired\n@@ -1 +1 @@\n-t.amout.sum()\n+t.amount.sum()'
    }
  ];
  const text =
    'Count:\n\n```python\nt.count()\n```\n\nThe SQL:\n\n```sql\nSELECT 1\n```\n\n' +
    'Mean:\n\n```python\nt.amout.mean()\n```\n\nSum:\n\n```\nt.amout.sum()\n```\n';
  const events = [
    { type: 'token', text },
    { type: 'done', conversation_id: null, citations: [], blocks, usage: {} }
  ];
  await page.route(/\/ibis-copilot\/chat(\?|$)/, route =>
    route.fulfill({
      status: 200,
      contentType: 'application/x-ndjson',
      body: events.map(event => JSON.stringify(event)).join('\n') + '\n'
    })
  );
  await page.notebook.createNew('verdicts.ipynb');
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('ibis-copilot:open-chat');
  });
  const chat = page.locator(CHAT);
  await chat.locator('textarea').fill('Sums and counts of orders?');
  await chat.locator('textarea').press('Enter');
  const answer = chat.locator('.jp-IbisCopilot-assistant').last();
  const badges = answer.locator('.jp-IbisCopilot-verdict');
  await expect(badges).toHaveCount(3);

  const checked = badges.nth(0);
  await expect(checked).toHaveAttribute('data-verdict', 'checked');
  await expect(checked).toContainText('✓ checked');
  await checked.getByText('Compiled SQL').click();
  await expect(checked.locator('details pre')).toContainText('COUNT(*)');

  const notChecked = badges.nth(1);
  await expect(notChecked).toHaveAttribute('data-verdict', 'not_checked');
  await expect(notChecked).toContainText('not checked: run: AttributeError');
  await expect(notChecked).not.toContainText('✓');
  await expect(notChecked).toContainText(
    't.amout is not a column — closest: amount'
  );

  const repaired = badges.nth(2);
  await expect(repaired).toHaveAttribute('data-verdict', 'repaired');
  await expect(repaired.locator('details[open]')).toContainText(
    '+t.amount.sum()'
  );
  await page.screenshot({ path: test.info().outputPath('verdicts.png') });

  // The SQL block has its actions but no verdict; the fourth bar is the repaired block's.
  await expect(answer.locator('.jp-IbisCopilot-codeActions')).toHaveCount(4);
  await answer
    .locator('.jp-IbisCopilot-codeActions')
    .nth(3)
    .getByRole('button', { name: 'Insert below' })
    .click();
  await expect
    .poll(async () => (await page.notebook.getCellCount()) ?? 0)
    .toBe(2);
  expect((await page.notebook.getCellTextInput(1))?.trim()).toBe(
    't.amount.sum()'
  );
});
