/**
 * Client frames up to the broker while the connection runs on SSE:
 * `POST /sse/frames?connection=<id>` with the connection's secret.
 *
 * One POST is in flight at a time; frames sent meanwhile wait and go together
 * in the next one (a JSON list, at most `MAX_SSE_FRAMES_PER_POST` frames and
 * `MAX_SSE_POST_BYTES`), so they reach the broker in the order they were sent.
 * The queue is capped (`MAX_UPLINK_FRAMES`): past it `push` refuses and the
 * client queues or refuses the frame itself. A POST that fails is never
 * retried (the broker may have taken it): each frame in it is answered with an
 * `error` frame (`PUBLISH_FAILED`, `SUBSCRIBE_FAILED` for its channel), never
 * dropped silently. A POST the broker answers with "no such connection" means
 * the stream is gone: the transport ends and the client reconnects.
 */
import { ErrorCode, MAX_SSE_FRAMES_PER_POST, MAX_SSE_POST_BYTES, SSE_FRAMES_PATH, SseParam, type ClientFrame } from '../protocol/index.js';
import { ClientErrorCode } from '../errors.js';
import type { IncomingError } from './server-frames.js';

/** Frames waiting to go up before `push` refuses. */
export const MAX_UPLINK_FRAMES = 1_000;

/** What the uplink tells its transport. */
export interface UplinkReport {
  /** A frame could not be delivered: answer it as the broker would. */
  failed(frame: IncomingError): void;
  /** The broker no longer knows the connection: the stream is gone. */
  gone(reason: string): void;
}

/** The frames endpoint URL for a connection. */
export function framesUrl(baseUrl: string, connectionId: string): string {
  return `${baseUrl}${SSE_FRAMES_PATH}?${SseParam.connection}=${encodeURIComponent(connectionId)}`;
}

async function errorOf(res: Response): Promise<{ code: string; error: string }> {
  try {
    const body = (await res.json()) as { code?: unknown; error?: unknown };
    return {
      code: typeof body.code === 'string' ? body.code : ClientErrorCode.HTTP_ERROR,
      error: typeof body.error === 'string' ? body.error : `HTTP ${res.status}`,
    };
  } catch {
    return { code: ClientErrorCode.HTTP_ERROR, error: `HTTP ${res.status}` };
  }
}

export class FrameUplink {
  private queue: Array<{ frame: ClientFrame; text: string }> = [];
  private sending = false;
  private stopped = false;

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly url: string,
    private readonly secret: string,
    private readonly report: UplinkReport,
  ) {}

  /** Frames waiting (not yet in a POST). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Queues a frame; false when stopped or the queue is full (nothing queued). */
  push(frame: ClientFrame): boolean {
    if (this.stopped || this.queue.length >= MAX_UPLINK_FRAMES) return false;
    this.queue.push({ frame, text: JSON.stringify(frame) });
    if (!this.sending) void this.drain();
    return true;
  }

  /** Stops: nothing more is sent or reported. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
  }

  /** The next POST's frames: up to the frame and byte limits (a single larger frame goes alone). */
  private take(): Array<{ frame: ClientFrame; text: string }> {
    let bytes = 2;
    let n = 0;
    while (n < this.queue.length && n < MAX_SSE_FRAMES_PER_POST) {
      const size = this.queue[n]!.text.length + 1;
      if (n > 0 && bytes + size > MAX_SSE_POST_BYTES) break;
      bytes += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.take();
      let res: Response;
      try {
        res = await this.fetchFn(this.url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${this.secret}`, 'Content-Type': 'application/json' },
          body: `[${batch.map((b) => b.text).join(',')}]`,
        });
      } catch (err) {
        if (this.stopped) break;
        this.fail(batch, ClientErrorCode.NETWORK_ERROR, `could not send to the broker: ${String(err)}`);
        continue;
      }
      if (this.stopped) break;
      if (res.ok) {
        await res.body?.cancel().catch(() => undefined);
        continue;
      }
      const { code, error } = await errorOf(res);
      if (this.stopped) break;
      if (res.status === 404 || res.status === 401 || code === ErrorCode.CONNECTION_NOT_FOUND) {
        this.stop();
        this.report.gone(error);
        break;
      }
      this.fail(batch, code, error);
    }
    this.sending = false;
  }

  private fail(batch: Array<{ frame: ClientFrame }>, code: string, why: string): void {
    for (const { frame } of batch) {
      if (this.stopped) return;
      if (frame.type === 'ping' || frame.type === 'ack') continue;
      const failed: IncomingError = { type: 'error', code, error: why };
      if (frame.type === 'publish') {
        failed.code = ErrorCode.PUBLISH_FAILED;
        failed.error = `could not publish on '${frame.channel}' (${why}); try again`;
      } else if (frame.type === 'subscribe') {
        failed.code = ErrorCode.SUBSCRIBE_FAILED;
        failed.error = `could not subscribe to '${frame.channel}' (${why}); try again`;
      }
      if (frame.type !== 'auth') failed.channel = frame.channel;
      this.report.failed(failed);
    }
  }
}
