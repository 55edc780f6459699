/**
 * The e2e harness: the real broker and the apps under test on fixed ports,
 * with fresh state every run, driven in Debian's Chromium (and Firefox ESR
 * over WebDriver BiDi for the multi-browser specs).
 */
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
// One fresh state directory per run (the config is loaded once per worker process too: share it via env).
process.env.E2E_STATE ??= mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
const STATE = process.env.E2E_STATE;

export const BROKER_URL = 'http://127.0.0.1:8787';
export const ORDERS_URL = 'http://127.0.0.1:3001';
export const CHROMIUM = '/usr/lib/chromium/chromium';
export const FIREFOX = '/usr/lib/firefox-esr/firefox-esr';

export default defineConfig({
  testDir: 'specs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      name: 'broker',
      command: `node ${REPO}/broker/scripts/launcher.mjs`,
      url: `${BROKER_URL}/health`,
      env: { PORT: '8787', BROKER_STATE_DIR: join(STATE, 'broker') },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      // The launcher stops wrangler and workerd (their own process group) on SIGTERM.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
    {
      name: 'orders',
      command: 'pnpm --silent --filter @switchyard/orders run build && pnpm --silent --filter @switchyard/orders run start',
      cwd: REPO,
      url: `${ORDERS_URL}/api/orders`,
      env: { ORDERS_DB: join(STATE, 'orders.db'), PUSHFLO_BASE_URL: BROKER_URL, PUSHFLO_SECRET_KEY: 'sec_local_dev', NEXT_TELEMETRY_DISABLED: '1' },
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
  ],
});
