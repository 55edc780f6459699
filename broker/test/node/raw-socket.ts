/**
 * A WebSocket client written on a bare TCP socket, so a test can stop reading
 * (the kernel buffers fill and the broker's writes back up) and resume later.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
  opcode: number;
  payload: Buffer;
}

export class RawSocket {
  readonly frames: RawFrame[] = [];
  /** Close code from the broker's close frame, once read. */
  closeCode: number | null = null;
  ended = false;
  private buffered: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects, upgrades, and returns once the 101 answer is read. */
  static async open(url: string, path: string): Promise<RawSocket> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!status.includes(' 101 ')) reject(new Error(`upgrade refused: ${status}`));
        resolve(head.subarray(end + 4));
      };
      socket.on('data', onData);
    });
    const raw = new RawSocket(socket);
    if (rest.length > 0) {
      raw.buffered = rest;
      raw.parse();
    }
    return raw;
  }

  /** Text frames received so far, parsed. */
  texts(): string[] {
    return this.frames.filter((f) => f.opcode === 1).map((f) => f.payload.toString('utf8'));
  }

  /** Sends one masked text frame (clients must mask). */
  send(text: string): void {
    const payload = Buffer.from(text, 'utf8');
    const mask = randomBytes(4);
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
    const masked = Buffer.alloc(len);
    for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
    this.socket.write(Buffer.concat([head, mask, masked]));
  }

  /** Stops reading: the kernel's buffers fill and the broker's writes stall. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) break;
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + len) break;
      const payload = b.subarray(offset, offset + len);
      this.frames.push({ opcode, payload: Buffer.from(payload) });
      if (opcode === 8 && payload.length >= 2) this.closeCode = payload.readUInt16BE(0);
      this.buffered = b.subarray(offset + len);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `predicate` holds, re-checked on every frame, or fails after `ms`. */
  async until(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ended) throw new Error(`${this.ended ? 'socket ended' : 'timed out'} waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
