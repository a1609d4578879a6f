import { expect, test } from '@jupyterlab/galata';

const CHAT = '#ibis-copilot-chat';

test('the chat streams an answer with citations, survives a reload, and starts over', async ({
  page
}) => {
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
  await expect(link).toBeVisible({ timeout: 90000 });
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
