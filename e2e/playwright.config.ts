/**
 * The e2e harness: the real broker and the apps under test on fixed ports,
 * with fresh state every run, driven in Debian's Chromium (and Firefox ESR
 * over WebDriver BiDi for the multi-browser specs).
 *
 *   E2E_APPS=chat pnpm exec playwright test specs/chat.spec.ts   # start only the broker and that app
 *   E2E_BROKER_PORT=8797 …                                       # the broker on another port
 */
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
// One fresh state directory per run (the config is loaded once per worker process too: share it via env).
process.env.E2E_STATE ??= mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
const STATE = process.env.E2E_STATE;

const BROKER_PORT = Number(process.env.E2E_BROKER_PORT ?? 8787);
export const BROKER_URL = `http://127.0.0.1:${BROKER_PORT}`;
export const BROKER_WS_URL = BROKER_URL.replace(/^http/, 'ws');
export const ORDERS_URL = 'http://127.0.0.1:3001';
export const DASHBOARD_URL = 'http://127.0.0.1:3002';
export const CHAT_URL = 'http://127.0.0.1:3003';
export const GAME_URL = 'http://127.0.0.1:3004';
export const CHROMIUM = '/usr/lib/chromium/chromium';
export const FIREFOX = '/usr/lib/firefox-esr/firefox-esr';

/** What every app is told about the broker (the same variables `pnpm dev` sets). */
const BROKER_ENV = {
  PUSHFLO_BASE_URL: BROKER_URL,
  PUSHFLO_PUBLISH_KEY: 'pub_local_dev',
  PUSHFLO_SECRET_KEY: 'sec_local_dev',
  WEBHOOK_SECRET: 'whsec_local_dev',
};
/** The broker's webhooks go to every app that handles them, as in `./dev` (each app keeps its own channels' events). */
const WEBHOOK_ENV = { WEBHOOK_URL: `${CHAT_URL}/api/webhooks,${GAME_URL}/api/webhooks`, WEBHOOK_SECRET: BROKER_ENV.WEBHOOK_SECRET, WEBHOOK_VACATE_DELAY_MS: '2000' };

const selected = process.env.E2E_APPS?.split(',').map((s) => s.trim());

/** An app under test: built, then started in production mode, with its own database in the run's state dir. */
function app(name: string, url: string, env: Record<string, string>) {
  if (selected && !selected.includes(name)) return [];
  return [
    {
      name,
      command: `pnpm --silent --filter @switchyard/${name} run build && pnpm --silent --filter @switchyard/${name} run start`,
      cwd: REPO,
      url: `${url}/api/health`,
      env: { ...BROKER_ENV, ...env },
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 10_000 },
    },
  ];
}

export default defineConfig({
  testDir: 'specs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  // CI: one retry, so a timing hiccup of a loaded 2-core machine does not sink a run; a retried pass is
  // reported as flaky in the list output, and a test that fails twice still fails the run.
  retries: process.env.CI ? 1 : 0,
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
      env: { PORT: String(BROKER_PORT), BROKER_STATE_DIR: join(STATE, 'broker'), ...WEBHOOK_ENV },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      // The launcher stops wrangler and workerd (their own process group) on SIGTERM.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
    ...app('orders', ORDERS_URL, { ORDERS_DB: join(STATE, 'orders.db'), NEXT_TELEMETRY_DISABLED: '1' }),
    ...app('dashboard', DASHBOARD_URL, { DASHBOARD_DB: join(STATE, 'dashboard.db') }),
    ...app('chat', CHAT_URL, { CHAT_DB: join(STATE, 'chat.db') }),
    ...app('game', GAME_URL, { GAME_DB: join(STATE, 'game.db'), GAME_MATCH_SECONDS: '20' }),
  ],
});
