/**
 * Backfill: the latest points and alerts of a company's channel from the
 * broker's history (read with the secret key, so the browser never holds
 * it). The browser merges them with live messages by `seq`, so a chart opened
 * late, or back from an outage, has no hole and no duplicate.
 */
import { EVENT_ALERT, EVENT_METRICS, type Alert, type HistoryAnswer, type MetricsUpdate, type SeqPoint } from '../shared/types.ts';
import { pushflo } from './pushflo.ts';

/** The broker's largest history page. */
const PAGE = 100;

async function latest<T>(channel: string, eventType: string, limit: number): Promise<Array<SeqPoint<T>>> {
  const out: Array<SeqPoint<T>> = [];
  for (let page = 1; out.length < limit; page++) {
    const { messages, pagination } = await pushflo.getMessageHistory(channel, { eventType, order: 'desc', page, pageSize: PAGE });
    for (const m of messages) if (m.seq !== undefined && out.length < limit) out.push({ seq: m.seq, value: m.content as unknown as T });
    if (page >= pagination.totalPages || messages.length === 0) break;
  }
  return out.reverse();
}

export async function history(channel: string, points: number, alerts: number): Promise<HistoryAnswer> {
  const [p, a] = await Promise.all([latest<MetricsUpdate>(channel, EVENT_METRICS, points), latest<Alert>(channel, EVENT_ALERT, alerts)]);
  return { channel, points: p, alerts: a };
}
