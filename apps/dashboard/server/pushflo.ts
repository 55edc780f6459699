/** The server-side PushFlo client, exactly as the public docs show it, and the broker's stats endpoint. */
import { PushFloServer } from '@pushflodev/sdk/server';
import type { WebhookFigures } from '../shared/types.ts';
import { config } from './config.ts';

export const pushflo = new PushFloServer({
  secretKey: config.secretKey,
  baseUrl: config.baseUrl,
  timeout: 5_000,
  retryAttempts: 2,
});

/** The part of the broker's `GET /api/v1/stats` answer this app reads (see broker/README.md). */
export interface BrokerStats {
  at: number;
  connections: number;
  subscriptions: number;
  messages: { published: { total: number; perSecond: number }; delivered: { total: number; perSecond: number } };
  latency: { windowSeconds: number; recent: { count: number; p50: number | null; p95: number | null; p99: number | null } };
  errors: { total: number; perSecond: number; byCode: Record<string, number> };
  topChannels: Array<{ channel: string; published: number; delivered: number; recent: number }>;
  /** Absent from a broker without webhooks. */
  webhooks?: WebhookFigures;
}

/** Reads the broker's live statistics with the secret key. Throws on any failure (the tick is skipped). */
export async function readBrokerStats(): Promise<BrokerStats> {
  const res = await fetch(`${config.baseUrl}/api/v1/stats`, {
    headers: { Authorization: `Bearer ${config.secretKey}` },
    signal: AbortSignal.timeout(3_000),
  });
  if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
  const body = (await res.json()) as { success: boolean; data: BrokerStats };
  return body.data;
}
