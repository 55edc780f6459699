// A subscriber socket for the k6 scripts: connect, subscribe (optionally resuming), track every message.
import { WebSocket } from 'k6/websockets';
import { clearInterval, setInterval } from 'k6/timers';
import { Counter } from 'k6/metrics';
import { COALESCE, connectMs, frames, PUBLISH_KEY, Tracker, WS_URL, wsErrors } from './common.js';

/** Subscriptions confirmed (a socket that never gets here would otherwise be invisible). */
export const subscriptionsReady = new Counter('subscriptions_ready');

/**
 * Opens a socket subscribed to `channels`. `resume` maps channel → {seq, epoch}
 * to continue from. Calls `onReady` once every channel is subscribed.
 */
export function openSubscriber(channels, { resume = {}, onReady, onClose } = {}) {
  const started = Date.now();
  const ws = new WebSocket(`${WS_URL}/ws?token=${encodeURIComponent(PUBLISH_KEY)}${COALESCE ? '&coalesce=1' : ''}`);
  const state = { ws, trackers: {}, epochs: {}, ready: false, closed: false };
  let pending = channels.length;
  // Ping like a real client (the broker closes sockets that stay silent).
  const pinger = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), 20_000);
  ws.onmessage = (event) => {
    for (const frame of frames(event.data)) onFrame(frame);
  };
  const onFrame = (frame) => {
    switch (frame.type) {
      case 'connected':
        connectMs.add(Date.now() - started);
        for (const channel of channels) {
          const r = resume[channel];
          ws.send(JSON.stringify(r ? { type: 'subscribe', channel, lastSeq: r.seq, epoch: r.epoch } : { type: 'subscribe', channel }));
        }
        break;
      case 'subscribed': {
        const r = resume[frame.channel];
        if (r && frame.recovered === false) wsErrors.add(1, { reason: `not_recovered_${frame.reason}` });
        // Resuming keeps the old tracker (replayed messages continue it); a fresh subscription starts at the head.
        if (!state.trackers[frame.channel]) state.trackers[frame.channel] = r?.tracker ?? new Tracker(frame.seq);
        state.epochs[frame.channel] = frame.epoch;
        if (!r) subscriptionsReady.add(1);
        if (--pending === 0 && !state.ready) {
          state.ready = true;
          if (onReady) onReady(state);
        }
        break;
      }
      case 'message': {
        const tracker = state.trackers[frame.channel];
        if (tracker) tracker.accept(frame);
        break;
      }
      case 'error':
        wsErrors.add(1, { code: frame.code });
        break;
      default:
        break;
    }
  };
  ws.onerror = () => wsErrors.add(1, { reason: 'socket' });
  ws.onclose = () => {
    clearInterval(pinger);
    state.closed = true;
    if (onClose) onClose(state);
  };
  return state;
}
