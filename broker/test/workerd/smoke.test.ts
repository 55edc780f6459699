import { describe, expect, it } from 'vitest';
import { connected, fetchBroker, freshChannel, publish } from './helpers';
import pkg from '../../package.json';

describe('smoke', () => {
  it('answers health', async () => {
    const res = await fetchBroker('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: pkg.version });
  });

  it('delivers a published message to a subscriber', async () => {
    const channel = freshChannel();
    const sub = await connected();
    const s = await sub.subscribe(channel);
    expect(s).toMatchObject({ channel, seq: 0 });
    const result = await publish(channel, { hello: 'world' }, 'greeting');
    const [m] = await sub.waitForMessages(1);
    expect(m).toMatchObject({ type: 'message', channel, eventType: 'greeting', data: { hello: 'world' }, seq: 1, messageId: result.id });
    sub.close();
  });
});
