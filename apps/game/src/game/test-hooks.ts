/**
 * `window.__game`: the match as tests (and curious developers) see it, read
 * live through getters. `moveTo(x, y)` steers the local player through the
 * same path as a click, at normal speed.
 */
import type { ConnectionState } from '@pushflodev/sdk';
import type { LocalPlayer } from './local-player.ts';

export function exposeForTests(local: LocalPlayer, connection: () => ConnectionState): () => void {
  const s = local.state;
  const hooks = {
    get me() {
      return s.myId;
    },
    get connection() {
      return connection();
    },
    get lastSeq() {
      return s.seq;
    },
    get status() {
      return s.match?.status ?? null;
    },
    get players() {
      return [...s.players.values()].map((p) => {
        const drawn = local.rendered.get(p.id);
        return {
          id: p.id,
          name: p.name,
          score: p.score,
          online: p.online,
          drawn: drawn !== undefined,
          x: drawn?.x ?? p.x,
          y: drawn?.y ?? p.y,
        };
      });
    },
    get scores() {
      return Object.fromEntries([...s.players.values()].map((p) => [p.id, p.score]));
    },
    get coins() {
      return [...s.coins.values()];
    },
    get result() {
      return s.result;
    },
    get claims() {
      return { ...local.claims };
    },
    get movesSent() {
      return local.movesSent;
    },
    get pickups() {
      return [...s.pickups];
    },
    get forgedIgnored() {
      return s.forgedIgnored;
    },
    get remainingMs() {
      return s.remainingMs();
    },
    moveTo(x: number, y: number) {
      local.target = { x, y };
    },
  };
  (window as unknown as { __game?: typeof hooks }).__game = hooks;
  return () => {
    delete (window as unknown as { __game?: typeof hooks }).__game;
  };
}
