/**
 * The broker's webhooks (`POST /api/webhooks`): verified with the SDK's
 * `verifyWebhook`, deduplicated on event id (delivery is at least once), and
 * used for "last seen": a `member_removed` on a room channel records when the
 * user left, and is announced on the room as `member-seen` so open member
 * lists update without a reload. Events of other apps' channels (the broker
 * sends every event to every URL) are acknowledged and ignored.
 */
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from '@pushflodev/sdk/server';
import { EVENTS, roomChannel } from '../shared/rules.ts';
import { config } from './config.ts';
import { database, transaction } from './db.ts';
import { AppError } from './errors.ts';
import { pushflo } from './pushflo.ts';

const ROOM_PREFIX = roomChannel('');
/** Handled event ids are remembered this long (the broker retries for about 20 minutes). */
const DEDUPE_MS = 24 * 3600_000;

export interface WebhookOutcome {
  /** Events of this app's channels handled now (not seen before). */
  handled: number;
  /** Events already handled (a retried delivery) or of other apps. */
  ignored: number;
}

/** Verifies and applies one webhook POST; a bad signature is a 401 the broker will retry (and count). */
export async function receiveWebhook(rawBody: string, signature: string | null): Promise<WebhookOutcome> {
  let events: WebhookEvent[];
  try {
    events = (await verifyWebhook(rawBody, signature, config.webhookSecret)).events;
  } catch (err) {
    if (err instanceof WebhookVerificationError) throw new AppError(401, err.code, 'The webhook signature does not verify.');
    throw err;
  }
  const now = Date.now();
  const seen: Array<{ roomId: string; userId: string }> = [];
  let handled = 0;
  transaction((d) => {
    d.prepare('DELETE FROM webhook_events WHERE received_at < ?').run(now - DEDUPE_MS);
    for (const event of events) {
      if (!event.channel.startsWith(ROOM_PREFIX)) continue;
      if (d.prepare('INSERT OR IGNORE INTO webhook_events (id, received_at) VALUES (?, ?)').run(event.id, now).changes === 0) continue;
      handled++;
      if (event.name !== 'member_removed') continue;
      d.prepare('INSERT INTO last_seen (user_id, at) VALUES (?, ?) ON CONFLICT(user_id) DO UPDATE SET at = MAX(at, excluded.at)').run(
        event.clientId,
        event.timeMs,
      );
      seen.push({ roomId: event.channel.slice(ROOM_PREFIX.length), userId: event.clientId });
    }
  });
  // Stored first; the announcement is a courtesy (a member list that misses it shows the time on its next load).
  // "Last seen" is per user and each room's webhooks come on their own, so every room of the user hears the
  // stored time, not only the room whose event carried it.
  const users = new Set(seen.map((s) => s.userId));
  const announcements = [...users].flatMap((userId) => {
    const lastSeenAt = lastSeen(userId);
    const rooms = new Set([...seen.filter((s) => s.userId === userId).map((s) => s.roomId), ...roomsOf(userId)]);
    return [...rooms].map((roomId) => ({ roomId, userId, lastSeenAt }));
  });
  await Promise.all(
    announcements.map(({ roomId, userId, lastSeenAt }) =>
      pushflo.publish(roomChannel(roomId), { userId, lastSeenAt }, { eventType: EVENTS.memberSeen }).catch(() => undefined),
    ),
  );
  return { handled, ignored: events.length - handled };
}

function roomsOf(userId: string): string[] {
  const rows = database().prepare('SELECT room_id FROM memberships WHERE user_id = ?').all(userId) as Array<{ room_id: string }>;
  return rows.map((r) => r.room_id);
}

function lastSeen(userId: string): number | null {
  const row = database().prepare('SELECT at FROM last_seen WHERE user_id = ?').get(userId) as { at: number } | undefined;
  return row?.at ?? null;
}
