/** The server-side PushFlo client, exactly as the public docs show it. */
import { PushFloServer } from '@pushflodev/sdk/server';

export const PUSHFLO_BASE_URL = process.env.PUSHFLO_BASE_URL ?? process.env.NEXT_PUBLIC_PUSHFLO_BASE_URL ?? 'http://127.0.0.1:8787';

export const pushflo = new PushFloServer({
  secretKey: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
  baseUrl: PUSHFLO_BASE_URL,
  timeout: 5_000,
  retryAttempts: 2,
});

/** A customer's private order channel. */
export const customerChannel = (userId: string) => `private:orders:user-${userId}`;
