/**
 * The e2e harness: the real broker and the apps under test (ports in
 * lib/stack.ts), with fresh state every run, driven in Chromium and Firefox
 * (lib/browsers.ts finds them).
 *
 * Projects:
 *   chromium           every single-browser spec (bad input, forged claims, UI details) in Chromium
 *   firefox            the same specs in Firefox
 *   chromium+firefox   the sync and reconnect specs (tagged @cross): user A in Chromium, user B in
 *                      Firefox, in one test, so the pair's ordering / gap / duplicate checks span both
 *
 *   E2E_APPS=chat pnpm exec playwright test specs/chat.spec.ts   # start only the broker and that app
 *   E2E_BROKER_PORT=8897 E2E_CHAT_PORT=3113 …                    # other ports (lib/stack.ts)
 */
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM, FIREFOX } from './lib/browsers';
import { BROKER_URL, DASHBOARD_URL, CHAT_URL, GAME_URL, ORDERS_URL, PORTS } from './lib/stack';

const REPO = resolve(import.meta.dirname, '..');
// One fresh state directory per run (the config is loaded once per worker process too: share it via env).
process.env.E2E_STATE ??= mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
const STATE = process.env.E2E_STATE;
// Locally a server already listening on its port is used as it is (e.g. a broker started by hand to watch
// its log); CI always starts fresh ones.
const reuseExistingServer = !process.env.CI;

/** What every app is told about the broker (the same variables `pnpm dev` sets). */
const BROKER_ENV = {
  PUSHFLO_BASE_URL: BROKER_URL,
  PUSHFLO_PUBLISH_KEY: 'pub_local_dev',
  PUSHFLO_SECRET_KEY: 'sec_local_dev',
  WEBHOOK_SECRET: 'whsec_local_dev',
};
/** The broker's webhooks go to every app that handles them, as in `./dev` (each app keeps its own channels' events). */
const WEBHOOK_ENV = {
  WEBHOOK_URL: `${CHAT_URL}/api/webhooks,${GAME_URL}/api/webhooks`,
  WEBHOOK_SECRET: BROKER_ENV.WEBHOOK_SECRET,
  WEBHOOK_VACATE_DELAY_MS: '2000',
};

const selected = process.env.E2E_APPS?.split(',').map((s) => s.trim());

/**
 * An app under test: built, then started in production mode on its e2e port (PORT: every app's server
 * reads it; orders' `start` script pins 3001, so it runs `next start` itself), with its own database in
 * the run's state dir.
 */
function app(name: keyof typeof PORTS, url: string, env: Record<string, string>) {
  if (selected && !selected.includes(name)) return [];
  const filter = `pnpm --silent --filter @switchyard/${name}`;
  const start = name === 'orders' ? `${filter} exec next start --hostname 127.0.0.1` : `${filter} run start`;
  return [
    {
      name,
      command: `${filter} run build && ${start}`,
      cwd: REPO,
      url: `${url}/api/health`,
      env: { ...BROKER_ENV, ...env, PORT: String(PORTS[name]) },
      reuseExistingServer,
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
  // One worker: every spec shares one broker and one set of apps on a 2-core machine, and the latency
  // checks (publish → render p95, typing within 500 ms) measure that machine. E2E_WORKERS=2 on a bigger one.
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 1),
  // CI: one retry, so a timing hiccup of a loaded 2-core machine does not sink a run; a retried pass is
  // reported as flaky in the list output, and a test that fails twice still fails the run.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium', grepInvert: /@cross/, use: CHROMIUM.use },
    { name: 'firefox', grepInvert: /@cross/, use: FIREFOX.use },
    // User A is this project's browser (Chromium); the test opens user B in Firefox (fixture `firefox`).
    { name: 'chromium+firefox', grep: /@cross/, use: CHROMIUM.use },
  ],
  webServer: [
    {
      name: 'broker',
      command: `node ${REPO}/broker/scripts/launcher.mjs --no-watch`,
      url: `${BROKER_URL}/health`,
      env: { PORT: String(PORTS.broker), BROKER_STATE_DIR: join(STATE, 'broker'), ...WEBHOOK_ENV },
      reuseExistingServer,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      // The deploy bundle on one workerd, not rebuilt on a source change; the launcher stops workerd (its own process group) on SIGTERM.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
    ...app('orders', ORDERS_URL, { ORDERS_DB: join(STATE, 'orders.db'), NEXT_TELEMETRY_DISABLED: '1' }),
    ...app('dashboard', DASHBOARD_URL, { DASHBOARD_DB: join(STATE, 'dashboard.db') }),
    ...app('chat', CHAT_URL, { CHAT_DB: join(STATE, 'chat.db') }),
    ...app('game', GAME_URL, { GAME_DB: join(STATE, 'game.db'), GAME_MATCH_SECONDS: '20' }),
  ],
});
