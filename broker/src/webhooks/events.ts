/**
 * Webhook events as the channel object sees them: ids, and which queue object
 * a channel's events go to. The event types are the protocol's
 * (`@pushflodev/sdk/protocol`, `webhooks.ts`), shared with `verifyWebhook`.
 */
import type { Env } from '../env';

/** Webhook queue objects; a channel always uses the same one, so its events stay in order. */
export const WEBHOOK_QUEUES = 8;

/** A stable id: receivers deduplicate retried deliveries on it. */
export const newEventId = () => `evt_${crypto.randomUUID().replaceAll('-', '')}`;

/** The queue object a channel's events go to (FNV-1a of the name). */
export function queueName(channel: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < channel.length; i++) h = Math.imul(h ^ channel.charCodeAt(i), 0x01000193);
  return `webhooks-${(h >>> 0) % WEBHOOK_QUEUES}`;
}

export function queueStub(env: Env, channel: string) {
  return env.WEBHOOKS.get(env.WEBHOOKS.idFromName(queueName(channel)));
}
