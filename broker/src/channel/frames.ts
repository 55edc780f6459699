/**
 * Frames a channel sends, serialised once per message (not per subscriber).
 */
import type { MessageFrame, PresenceFrame, PresenceMember } from '@pushflodev/sdk/protocol';
import type { StoredMessage } from './store';

/**
 * A `message` frame. The content goes in as the JSON text it was stored as
 * (never re-parsed): the rest of the frame is serialised, then `"data"` is
 * appended as its last member. Without `seq` (ephemeral client events) the
 * frame has none.
 */
export function messageFrame(channel: string, m: Omit<StoredMessage, 'seq'> & { seq?: number }): string {
  const frame: Omit<MessageFrame, 'data'> = {
    type: 'message',
    channel,
    messageId: m.id,
    eventType: m.eventType,
    clientId: m.clientId,
    timestamp: m.timestamp,
  };
  if (m.seq !== undefined) frame.seq = m.seq;
  if (m.clientEvent) frame.clientEvent = true;
  const rest = JSON.stringify(frame satisfies Omit<MessageFrame, 'data'>);
  // `rest` is a JSON object text: `{…}`. Content is a JSON object text too (validated on the way in).
  return `${rest.slice(0, -1)},"data":${m.data}}`;
}

/** A presence `join` / `leave` frame. */
export function presenceFrame(channel: string, action: 'join' | 'leave', member: PresenceMember): string {
  return JSON.stringify({ type: 'presence', channel, action, member } satisfies PresenceFrame);
}
