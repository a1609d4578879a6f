/**
 * Benchmarks in a real browser (not part of `make test`): `npx playwright test
 * --config playwright-bench.config.js`, or `make bench-ui`.
 */
const base = require('./playwright.config');

module.exports = {
  ...base,
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  retries: 0,
  timeout: 900000,
  reporter: [['list']]
};
