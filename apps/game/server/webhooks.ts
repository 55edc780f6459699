/**
 * The broker's webhooks (`POST /api/webhooks`): verified with the SDK's
 * `verifyWebhook`, deduplicated on event id (delivery is at least once). A
 * `channel_vacated` on a match channel ends that match as abandoned
 * (matches.ts `abandonMatch`). Every other event, and other apps' channels
 * (the broker sends every event to every URL), are acknowledged and ignored.
 */
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from '@pushflodev/sdk/server';
import { CHANNEL } from '../shared/events.ts';
import { config } from './config.ts';
import { database } from './db.ts';
import { ApiError } from './errors.ts';
import { abandonMatch } from './matches.ts';

const PREFIX = CHANNEL('');
/** Handled event ids are remembered this long (the broker retries for about 20 minutes). */
const DEDUPE_MS = 24 * 3600_000;

export interface WebhookOutcome {
  /** Matches this delivery ended. */
  abandoned: string[];
  /** Events of this app's channels handled now. */
  handled: number;
  /** Events handled before (a retried delivery), or not this app's. */
  ignored: number;
}

export async function receiveWebhook(rawBody: string, signature: string | null): Promise<WebhookOutcome> {
  let events: WebhookEvent[];
  try {
    events = (await verifyWebhook(rawBody, signature, config.webhookSecret)).events;
  } catch (err) {
    if (err instanceof WebhookVerificationError) throw new ApiError(401, err.code, 'the webhook signature does not verify');
    throw err;
  }
  const d = database();
  const now = Date.now();
  d.prepare('DELETE FROM webhook_events WHERE received_at < ?').run(now - DEDUPE_MS);
  const outcome: WebhookOutcome = { abandoned: [], handled: 0, ignored: 0 };
  for (const event of events) {
    if (!event.channel.startsWith(PREFIX) || d.prepare('SELECT 1 FROM webhook_events WHERE id = ?').get(event.id) !== undefined) {
      outcome.ignored++;
      continue;
    }
    if (event.name === 'channel_vacated') {
      const matchId = event.channel.slice(PREFIX.length);
      // A failure here (the broker unreachable for game-ended) throws: the id stays unrecorded and the broker retries.
      if ((await abandonMatch(matchId)) !== null) outcome.abandoned.push(matchId);
    }
    d.prepare('INSERT OR IGNORE INTO webhook_events (id, received_at) VALUES (?, ?)').run(event.id, now);
    outcome.handled++;
  }
  return outcome;
}
