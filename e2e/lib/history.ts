/** Reading a channel's stored messages straight from the broker (secret key), as the apps' servers do. */
import { expect, type APIRequestContext } from '@playwright/test';
import { BROKER_URL } from './stack';

export interface Stored {
  seq: number;
  eventType: string;
}

/**
 * One page of `GET /api/v1/channels/{channel}/messages`. The protocol puts the list in
 * `data: { items, pagination }`; the broker has answered `data: [...]` with `pagination` beside it, so
 * both are read until every broker speaks the protocol's shape.
 */
export async function historyPage(
  request: APIRequestContext,
  channel: string,
  params: Record<string, string | number>,
): Promise<{ items: Stored[]; totalPages: number }> {
  const res = await request.get(`${BROKER_URL}/api/v1/channels/${encodeURIComponent(channel)}/messages`, {
    params,
    headers: { Authorization: 'Bearer sec_local_dev' },
  });
  expect(res.status()).toBe(200);
  type Pagination = { totalPages: number };
  const body = (await res.json()) as { data: Stored[] | { items: Stored[]; pagination: Pagination }; pagination?: Pagination };
  if (Array.isArray(body.data)) return { items: body.data, totalPages: body.pagination!.totalPages };
  return { items: body.data.items, totalPages: body.data.pagination.totalPages };
}
