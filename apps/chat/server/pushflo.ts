/** The server-side PushFlo client, exactly as the SDK docs show it. */
import { PushFloServer } from '@pushflodev/sdk/server';
import { config } from './config.ts';

export const pushflo = new PushFloServer({
  secretKey: config.pushfloSecretKey,
  baseUrl: config.pushfloBaseUrl,
  timeout: 5_000,
  retryAttempts: 2,
});
