/**
 * Which browser pages may open `/ws` and `/sse`: the `Origin` a browser sends
 * with every WebSocket upgrade and cross-origin request, against
 * `ALLOWED_ORIGINS`. Checked before authentication and before any upgrade.
 *
 * - No `Origin` header: a server, a CLI or a native app, not a browser page; it passes
 *   (the origin check protects the publish key in web pages, not the broker from non-browsers).
 * - `ALLOWED_ORIGINS` with `*` alone: every origin.
 * - Otherwise an origin passes when it equals an entry (case-insensitive), `*` in an entry
 *   matching any run of characters (`https://*.example.com`).
 * - Unset: only pages served from the broker's own host (as Centrifugo's default), so a deployment
 *   that forgot the setting does not hand its publish key to every site on the web.
 */
import { patternMatches } from '@pushflodev/sdk/protocol';
import { settings, type Env } from '../env';

/** Why this request's `Origin` may not connect, or null when it may. */
export function originProblem(env: Env, request: Request): string | null {
  const origin = request.headers.get('Origin');
  if (origin === null) return null;
  const normalized = origin.trim().toLowerCase();
  const allowed = settings(env).allowedOrigins;
  if (allowed === null) {
    let host: string | null = null;
    try {
      host = new URL(normalized).host;
    } catch {
      // 'null' (a sandboxed page, a file) or garbage: not the broker's host
    }
    if (host !== null && host === new URL(request.url).host) return null;
    return `origin '${origin.slice(0, 200)}' may not connect: this broker allows only its own host (set ALLOWED_ORIGINS to allow others)`;
  }
  if (allowed.some((entry) => entry === '*' || patternMatches(entry, normalized))) return null;
  return `origin '${origin.slice(0, 200)}' is not in this broker's ALLOWED_ORIGINS`;
}
