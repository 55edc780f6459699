/** The server-side PushFlo client, exactly as the public docs show it. */
import { PushFloServer } from '@pushflodev/sdk/server';
import { config } from './config';

export const PUSHFLO_BASE_URL = config.pushfloBaseUrl;

export const pushflo = new PushFloServer({
  secretKey: config.pushfloSecretKey,
  baseUrl: PUSHFLO_BASE_URL,
  timeout: 5_000,
  retryAttempts: 2,
});

/** A customer's private order channel. */
export const customerChannel = (userId: string) => `private:orders:user-${userId}`;
