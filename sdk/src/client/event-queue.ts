/** Client events published while not connected wait here, capped, and go out on the next `connected`. */
import { ClientErrorCode, PushFloError } from '../errors.js';
import type { PublishFrame } from '../protocol/index.js';

/**
 * Client events queued while not connected, at most; past it `publish`
 * throws `QUEUE_FULL`.
 * @example
 * ```ts
 * if (client.connectionState !== 'connected' && pending >= MAX_QUEUED_EVENTS) dropOldestMove();
 * ```
 */
export const MAX_QUEUED_EVENTS = 100;

export class ClientEventQueue {
  private readonly frames: PublishFrame[] = [];

  /**
   * Queues one event.
   * @throws {PushFloError} `QUEUE_FULL` (retryable) when `MAX_QUEUED_EVENTS` already wait
   */
  push(frame: PublishFrame): void {
    if (this.frames.length >= MAX_QUEUED_EVENTS) {
      throw new PushFloError(`not connected and ${MAX_QUEUED_EVENTS} client events are already queued`, ClientErrorCode.QUEUE_FULL, {
        retryable: true,
      });
    }
    this.frames.push(frame);
  }

  /** Takes every queued event, oldest first. */
  drain(): PublishFrame[] {
    return this.frames.splice(0);
  }
}
