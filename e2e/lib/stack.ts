/**
 * Where the stack under test listens. Every port is an env var, and the
 * defaults differ from `./dev`'s (broker 8787, apps 3001–3004), so the suite
 * runs beside a developer's `./dev` without touching it.
 *
 *   E2E_BROKER_PORT=8897 E2E_CHAT_PORT=3113 pnpm --filter @switchyard/e2e test
 */

/** A port from the environment, or the default; a clear error for anything else. */
function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`${name}=${raw}: expected a TCP port (1–65535)`);
  return n;
}

export const PORTS = {
  broker: port('E2E_BROKER_PORT', 8797),
  orders: port('E2E_ORDERS_PORT', 3011),
  dashboard: port('E2E_DASHBOARD_PORT', 3012),
  chat: port('E2E_CHAT_PORT', 3013),
  game: port('E2E_GAME_PORT', 3014),
} as const;

const local = (p: number) => `http://127.0.0.1:${p}`;

export const BROKER_URL = local(PORTS.broker);
export const BROKER_WS_URL = BROKER_URL.replace(/^http/, 'ws');
export const ORDERS_URL = local(PORTS.orders);
export const DASHBOARD_URL = local(PORTS.dashboard);
export const CHAT_URL = local(PORTS.chat);
export const GAME_URL = local(PORTS.game);
