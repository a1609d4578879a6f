import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const TRIES = Number(process.env.BENCH_TRIES ?? 30);
const DEBOUNCE_MS = 250; // the setting's default, used by the provider

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(share * (sorted.length - 1))];
}

test('time from a typing pause to the first ghost text', async ({ page }) => {
  // Record, for each completion request, when it left and when its first bytes arrived.
  await page.addInitScript(() => {
    const timings: { start: number; first: number | null }[] = [];
    (window as any).__ibisTimings = timings;
    const original = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url =
        typeof input === 'string'
          ? input
          : ((input as Request).url ?? String(input));
      if (!url.includes('/ibis-copilot/complete')) {
        return original(input, init);
      }
      const entry = { start: performance.now(), first: null as number | null };
      timings.push(entry);
      const response = await original(input, init);
      if (!response.body) {
        return response;
      }
      const [mine, theirs] = response.body.tee();
      const reader = mine.getReader();
      void reader.read().then(() => {
        entry.first = performance.now();
        void reader.cancel();
      });
      return new Response(theirs, response);
    };
  });
  await page.goto();
  await page.notebook.createNew('bench.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    'import ibis\nt = ibis.table({"a": "int64"}, name="t")'
  );
  await page.notebook.run();
  const ghost = page.locator('.jp-GhostText');
  const rows: { total: number; serverAndModel: number; frontend: number }[] =
    [];
  for (let i = 0; i < TRIES; i++) {
    await page.notebook.setCell(
      0,
      'code',
      `import ibis\nt = ibis.table({"a": "int64"}, name="t")\n`
    );
    await page.notebook.enterCellEditingMode(0);
    await page.keyboard.press('Control+End');
    await page.keyboard.type(`expr${i} = t.filter(`);
    const pausedAt = await page.evaluate(() => performance.now());
    const shownAt = await page.evaluate(
      () =>
        new Promise<number>(resolve => {
          const check = () => {
            const node = document.querySelector('.jp-GhostText');
            if (node && (node.textContent ?? '').length > 0) {
              resolve(performance.now());
            } else {
              requestAnimationFrame(check);
            }
          };
          check();
        })
    );
    const last = await page.evaluate(() => {
      const timings = (window as any).__ibisTimings;
      return timings[timings.length - 1];
    });
    const serverAndModel = last.first - last.start;
    const total = shownAt - pausedAt;
    rows.push({
      total,
      serverAndModel,
      frontend: total - DEBOUNCE_MS - serverAndModel
    });
    await page.keyboard.press('Escape');
    await expect(ghost).toHaveCount(0);
  }
  const summary = Object.fromEntries(
    (['total', 'serverAndModel', 'frontend'] as const).map(key => [
      key,
      {
        p50: Math.round(
          percentile(
            rows.map(r => r[key]),
            0.5
          )
        ),
        p95: Math.round(
          percentile(
            rows.map(r => r[key]),
            0.95
          )
        )
      }
    ])
  );
  const report = {
    date: new Date().toISOString().slice(0, 10),
    tries: TRIES,
    debounceMs: DEBOUNCE_MS,
    summary,
    rows
  };
  const out = path.join(__dirname, '..', '..', 'benchmarks', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'bench_ui.json'),
    JSON.stringify(report, null, 2)
  );
  console.log('measure                        p50 ms  p95 ms');
  console.log(
    `pause → first ghost text       ${summary.total.p50}  ${summary.total.p95}`
  );
  console.log(
    `  request → first bytes        ${summary.serverAndModel.p50}  ${summary.serverAndModel.p95}`
  );
  console.log(
    `  frontend (minus ${DEBOUNCE_MS} ms debounce) ${summary.frontend.p50}  ${summary.frontend.p95}`
  );
});
