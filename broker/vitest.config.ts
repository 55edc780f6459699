/**
 * Broker tests that run inside workerd, against the real Worker and Durable
 * Objects from wrangler.jsonc. Limits are turned down so edge cases (history
 * retention, subscription caps, heartbeats) can be reached quickly.
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { startWebhookReceiver } from './test/node/webhook-receiver.ts';

/** A real HTTP server in this (Node) process that the broker's webhooks go to; tests read what it got over HTTP. */
const receiver = await startWebhookReceiver();

export const TEST_BINDINGS = {
  ALLOW_DEV_KEYS: 'true',
  SHARD_COUNT: '2',
  HISTORY_MAX_MESSAGES: '50',
  MAX_REPLAY: '30',
  MAX_SUBSCRIPTIONS_PER_SOCKET: '5',
  SOCKET_FRAMES_PER_SECOND: '20',
  // Long enough that the real sweep alarm never fires inside a test; tests move time with sweep(now).
  HEARTBEAT_TIMEOUT_MS: '60000',
  PRESENCE_TIMEOUT_MS: '30000',
  CLIENT_EVENTS_PER_SECOND: '5',
  WEBHOOK_URL: `${receiver.url}/hooks`,
  WEBHOOK_SECRET: 'whsec_test',
  WEBHOOK_VACATE_DELAY_MS: '400',
  WEBHOOK_CLIENT_EVENTS: 'hooked:*,exact:one',
  // SSE heartbeats every second (the shortest allowed), so a test sees one quickly.
  SSE_HEARTBEAT_MS: '1000',
  // The broker's own test host, and any subdomain of allowed.example (hostile-edge.test.ts).
  ALLOWED_ORIGINS: 'http://broker.test,https://*.allowed.example',
} as const;

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: { bindings: TEST_BINDINGS },
    }),
  ],
  test: {
    include: ['test/workerd/**/*.test.ts'],
    // Waits are deadline-based (test/shared/wait.ts: 30 s each, returning as soon as they hold); a test may chain several.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
