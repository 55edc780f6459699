/** The server-side PushFlo client, exactly as the SDK's README shows it, and the game's token. */
import { PushFloServer } from '@pushflodev/sdk/server';
import { CHANNEL } from '../shared/events.ts';
import { config } from './config.ts';

export const PUSHFLO_BASE_URL = config.pushfloBaseUrl;

export const pushflo = new PushFloServer({
  secretKey: config.pushfloSecretKey,
  baseUrl: PUSHFLO_BASE_URL,
  timeout: 5_000,
  retryAttempts: 2,
});

/**
 * A player's socket token: their player id as client id, and on their match's
 * channel only: subscribe, presence (others see them in the arena) and
 * publish (their moves, as client events).
 */
export function playerToken(matchId: string, player: { id: string; name: string; color: string }): Promise<string> {
  return pushflo.createToken({
    clientId: player.id,
    capabilities: { [CHANNEL(matchId)]: ['subscribe', 'publish', 'presence'] },
    info: { name: player.name, color: player.color },
    ttlSeconds: 3600,
  });
}
