import { expect, test } from '@jupyterlab/galata';

test.describe('ibis-copilot frontend', () => {
  test('shows the server extension status in the status bar', async ({
    page
  }) => {
    const item = page.locator('.jp-IbisCopilot-status');
    await expect(item).toHaveText(/^Ibis Copilot \d+\.\d+\.\d+/);
    await expect(item).toHaveAttribute('data-level', 'ok');
    await expect(item).toHaveAttribute('title', /ibis 12\./);
    await page.screenshot({ path: test.info().outputPath('status-bar.png') });
  });

  test('the status endpoint answers the frontend', async ({
    page,
    baseURL
  }) => {
    const response = await page.request.get(`${baseURL}/ibis-copilot/status`);
    expect(response.ok()).toBeTruthy();
    const status = await response.json();
    expect(status.ibis_version).toMatch(/^12\./);
  });
});

test.describe('without the server extension', () => {
  test.use({ autoGoto: false });

  test('tells the user plainly that it is missing', async ({ page }) => {
    // The server extension answers 404 as if it were not installed.
    await page.route(/\/ibis-copilot\/status/, route =>
      route.fulfill({ status: 404, body: '{"message": "Not Found"}' })
    );
    await page.goto();
    const item = page.locator('.jp-IbisCopilot-status');
    await expect(item).toHaveText('Ibis Copilot: server extension missing');
    await expect(item).toHaveAttribute('data-level', 'error');
    await expect(item).toHaveAttribute(
      'title',
      /pip install "ibis-copilot\[server\]"/
    );
  });
});
