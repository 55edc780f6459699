/**
 * Frame coalescing, an opt-in extension of the socket protocol.
 *
 * A client that adds `coalesce=1` to the WebSocket URL
 * (`/ws?token=…&v=1&coalesce=1`) tells the broker it can take several server
 * frames in ONE WebSocket text message: the frames' JSON texts joined by
 * `\n`. JSON.stringify never emits a raw newline (newlines inside strings are
 * escaped as `\n`), so the receiver splits each message on `\n` and parses
 * every line as one frame, in order. Without the parameter (the public SDK)
 * every WebSocket message is exactly one JSON frame.
 *
 * The broker coalesces the frames of one delivery batch (messages that were
 * published while the previous batch was on its way), so under load a
 * subscriber gets fewer, larger messages; at low rates nothing changes.
 */

/** Query parameter that opts a socket in to coalesced frames; its value must be `1`. */
export const COALESCE_QUERY_PARAM = 'coalesce';

/** Separator between frames in one coalesced WebSocket message. */
export const FRAME_SEPARATOR = '\n';

/**
 * The frame texts in one WebSocket message from a coalescing socket (one
 * element when the message holds a single frame).
 *
 * @example
 * for (const text of splitFrames(event.data)) handle(JSON.parse(text));
 */
export function splitFrames(data: string): string[] {
  return data.indexOf(FRAME_SEPARATOR) === -1 ? [data] : data.split(FRAME_SEPARATOR);
}
