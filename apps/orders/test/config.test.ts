/** The settings read the same in the monorepo and in a starter copy: env first, then app-local defaults. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

const KEYS = ['PUSHFLO_BASE_URL', 'NEXT_PUBLIC_PUSHFLO_BASE_URL', 'PUSHFLO_SECRET_KEY', 'ORDERS_DB'] as const;
let fresh = 0;

/** The config module as it reads `env` (a fresh module instance each time). */
async function configWith(env: Partial<Record<(typeof KEYS)[number], string>>) {
  const saved = KEYS.map((k) => [k, process.env[k]] as const);
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return (await import(`../lib/config.ts?${++fresh}`)).config as typeof import('../lib/config.ts').config;
  } finally {
    for (const [k, v] of saved)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

test('defaults: the local broker, the dev key, data under .data/ where the app runs', async () => {
  const config = await configWith({});
  assert.equal(config.pushfloBaseUrl, 'http://127.0.0.1:8787');
  assert.equal(config.browserBaseUrl, 'http://127.0.0.1:8787');
  assert.equal(config.pushfloSecretKey, 'sec_local_dev');
  assert.equal(config.dbPath, join(process.cwd(), '.data', 'orders.db'));
});

test('the environment wins; trailing slashes are dropped; browsers may reach the broker elsewhere', async () => {
  const config = await configWith({
    PUSHFLO_BASE_URL: 'http://broker.internal:8787/',
    NEXT_PUBLIC_PUSHFLO_BASE_URL: 'https://broker.example.com/',
    PUSHFLO_SECRET_KEY: 'sec_prod',
    ORDERS_DB: 'db/orders.sqlite',
  });
  assert.equal(config.pushfloBaseUrl, 'http://broker.internal:8787');
  assert.equal(config.browserBaseUrl, 'https://broker.example.com');
  assert.equal(config.pushfloSecretKey, 'sec_prod');
  assert.equal(config.dbPath, join(process.cwd(), 'db', 'orders.sqlite'));
});
