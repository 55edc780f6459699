/**
 * Frames a channel sends, serialised once per message (not per subscriber).
 */
import type { MessageFrame, PresenceFrame, PresenceMember } from '@pushflodev/sdk/protocol';
import type { StoredMessage } from './store';

/**
 * A `message` frame. The content goes in as the JSON text it was stored as
 * (never re-parsed), between the fields before it and the fields after it,
 * each part serialised as a JSON object: `{type, channel, messageId,
 * eventType, clientId, data, timestamp, seq?, clientEvent?}`. The SSE stream
 * reads channel and seq from this layout (connection/sse-stream.ts). Without
 * `seq` (ephemeral client events) the frame has none.
 */
export function messageFrame(channel: string, m: Omit<StoredMessage, 'seq'> & { seq?: number }): string {
  const before: Pick<MessageFrame, 'type' | 'channel' | 'messageId' | 'eventType' | 'clientId'> = {
    type: 'message',
    channel,
    messageId: m.id,
    eventType: m.eventType,
    clientId: m.clientId,
  };
  const after: Pick<MessageFrame, 'timestamp' | 'seq' | 'clientEvent'> = { timestamp: m.timestamp };
  if (m.seq !== undefined) after.seq = m.seq;
  if (m.clientEvent) after.clientEvent = true;
  // Both parts are JSON object texts `{…}`; the content is a JSON object text too (validated on the way in).
  return `${JSON.stringify(before).slice(0, -1)},"data":${m.data},${JSON.stringify(after).slice(1)}`;
}

/** A presence `join` / `leave` frame. */
export function presenceFrame(channel: string, action: 'join' | 'leave', member: PresenceMember): string {
  return JSON.stringify({ type: 'presence', channel, action, member } satisfies PresenceFrame);
}
