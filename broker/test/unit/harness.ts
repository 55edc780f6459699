/**
 * The broker's core wired together in memory: Channels (with their real
 * SQLite stores over node:sqlite), Hubs (with their real ShardStore) and the
 * fan-out between them, on a fake clock. RPC is a promise hop; `settle()`
 * runs every hop that is due (it drains the event loop, it never sleeps).
 * In the spirit of tldraw's TestServer / TestSocketPair.
 */
import { DatabaseSync } from 'node:sqlite';
import type { Capability, MessageFrame, ServerFrame } from '@pushflodev/sdk/protocol';
import { Channel, type ChannelOptions } from '../../src/channel/channel';
import { sqlChannelStorage } from '../../src/channel/storage';
import { Hub, type HubLimits, type HubSocket, type SocketMeta } from '../../src/connection/hub';
import { ShardStore } from '../../src/connection/shard-store';
import type { Entry } from '../../src/rpc';
import { memorySql } from './sql';

export class Clock {
  t = 1_750_000_000_000;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A server-side socket: records what the hub sends it. */
export class FakeSocket implements HubSocket {
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | null = null;
  constructor(public attachment: SocketMeta | null) {}
  send(text: string): void {
    if (this.closed !== null) throw new Error('socket closed');
    this.sent.push(text);
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
  frames(): ServerFrame[] {
    return this.sent.flatMap((t) => t.split('\n')).map((t) => JSON.parse(t) as ServerFrame);
  }
  messages(channel?: string): MessageFrame[] {
    return this.frames().filter((f): f is MessageFrame => f.type === 'message' && (channel === undefined || f.channel === channel));
  }
  seqs(channel?: string): number[] {
    return this.messages(channel).map((m) => m.seq ?? -1);
  }
  ofType<K extends ServerFrame['type']>(type: K): Array<Extract<ServerFrame, { type: K }>> {
    return this.frames().filter((f): f is Extract<ServerFrame, { type: K }> => f.type === type);
  }
}

export const LIMITS: HubLimits = {
  maxSubscriptionsPerSocket: 100,
  framesPerSecond: 10_000,
  clientEventsPerSecond: 10_000,
  maxPendingBuffer: 10_000,
  heartbeatTimeoutMs: 70_000,
  presenceTimeoutMs: 25_000,
  slowConsumerBytes: 2 * 1024 * 1024,
};

export const CHANNEL_OPTIONS: ChannelOptions = { maxReplay: 5_000, historyTtlMs: 86_400_000, idempotencyWindowMs: 300_000 };

const hop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TestShard {
  hub: Hub<FakeSocket>;
  readonly sockets = new Set<FakeSocket>();
  /** Deliveries to fail before succeeding again (Infinity: the shard is unreachable). */
  failDeliveries = 0;
  deliveryAttempts = 0;
  /** While set, join answers wait for it after the channel has registered the shard (a join in flight). */
  joinGate: Promise<void> | null = null;
  private ids = 0;

  constructor(
    private readonly world: World,
    readonly name: string,
    private readonly db = new DatabaseSync(':memory:'),
  ) {
    this.hub = this.newHub();
  }

  private newHub(): Hub<FakeSocket> {
    const w = this.world;
    return new Hub<FakeSocket>(
      {
        meta: (ws) => ws.attachment!,
        saveMeta: (ws, meta) => {
          ws.attachment = { ...meta };
        },
        store: new ShardStore(memorySql(this.db)),
        join: async (channel, n, options) => {
          await hop();
          const result = w.channel(channel).join(this.name, n, options);
          if (this.joinGate !== null) await this.joinGate;
          await hop();
          return structuredClone(result);
        },
        leave: async (channel, n, presence) => {
          await hop();
          w.channel(channel).leave(this.name, n, presence);
        },
        publishMany: async (channel, inputs) => {
          await hop();
          return inputs.map((i) => w.channel(channel).publish(i));
        },
        verifyToken: () => Promise.reject(new Error('no tokens in unit tests')),
        now: w.clock.now,
      },
      { ...LIMITS, ...w.limits },
    );
  }

  /** A socket accepted by this shard (as ShardObject.fetch does); `cap` makes it a token socket with these grants. */
  connect(
    clientId: string,
    options: { cap?: Record<string, Capability[]>; info?: Record<string, unknown>; coalesce?: boolean } = {},
  ): FakeSocket {
    const now = this.world.clock.now();
    const meta: SocketMeta = {
      id: `${this.name}-conn-${++this.ids}`,
      clientId,
      connectedAt: now,
      seenAt: now,
      token: options.cap !== undefined,
      exp: null,
      presence: false,
    };
    if (options.coalesce) meta.coalesce = true;
    const ws = new FakeSocket(meta);
    this.sockets.add(ws);
    if (options.cap !== undefined)
      this.hub.authorize(meta.id, { cap: options.cap, info: options.info === undefined ? null : JSON.stringify(options.info) });
    return ws;
  }

  /** A frame from the client; resolves when the hub has handled it and every hop it started has run. */
  async send(ws: FakeSocket, frame: unknown): Promise<void> {
    const done = this.hub.onFrame(ws, JSON.stringify(frame));
    await this.world.settle();
    await done;
  }

  async subscribe(ws: FakeSocket, channel: string, extra: Record<string, unknown> = {}) {
    await this.send(ws, { type: 'subscribe', channel, ...extra });
    const f = ws
      .ofType('subscribed')
      .filter((s) => s.channel === channel)
      .at(-1);
    if (f === undefined) throw new Error(`not subscribed to ${channel}: ${ws.sent.slice(-3).join(' | ')}`);
    return f;
  }

  /** The client went away (the runtime's close event). */
  async disconnect(ws: FakeSocket): Promise<void> {
    ws.close(1000, 'bye');
    this.sockets.delete(ws);
    await this.hub.onClose(ws);
    await this.world.settle();
  }

  /** The channel's delivery RPC, as the ShardObject answers it (fails while `failDeliveries` > 0). */
  async deliver(channel: string, entries: Entry[]): Promise<number> {
    this.deliveryAttempts++;
    await hop();
    if (this.failDeliveries > 0) {
      this.failDeliveries--;
      throw new Error(`${this.name} unreachable`);
    }
    return this.hub.deliver(channel, structuredClone(entries));
  }

  /** The object was evicted from memory and woke again: a fresh Hub over the same SQLite and the same sockets (with their attachments). */
  async hibernate(): Promise<void> {
    for (const ws of [...this.sockets]) if (ws.closed !== null) this.sockets.delete(ws);
    this.hub = this.newHub();
    await this.hub.restore(this.sockets);
    await this.world.settle();
  }
}

export class World {
  readonly clock = new Clock();
  private readonly channels = new Map<string, Channel>();
  readonly shards = new Map<string, TestShard>();

  constructor(
    readonly limits: Partial<HubLimits> = {},
    private readonly channelOptions: Partial<ChannelOptions> & { historyMaxMessages?: number } = {},
  ) {}

  shard(name: string): TestShard {
    let s = this.shards.get(name);
    if (s === undefined) {
      s = new TestShard(this, name);
      this.shards.set(name, s);
    }
    return s;
  }

  channel(name: string): Channel {
    let c = this.channels.get(name);
    if (c === undefined) {
      const storage = sqlChannelStorage(
        memorySql(),
        {
          ttlMs: this.channelOptions.historyTtlMs ?? CHANNEL_OPTIONS.historyTtlMs,
          maxMessages: this.channelOptions.historyMaxMessages ?? 10_000,
        },
        this.clock.now,
      );
      c = new Channel(
        name,
        storage,
        {
          deliver: (shard, entries) => this.shard(shard).deliver(name, entries),
          evict: async (shard) => {
            await hop();
            this.shard(shard).hub.evict(name);
          },
        },
        { ...CHANNEL_OPTIONS, ...this.channelOptions },
        { now: this.clock.now },
      );
      this.channels.set(name, c);
    }
    return c;
  }

  /** An API publish of `n` messages; returns their seqs. Fan-out runs on `settle()`. */
  publish(channel: string, n = 1, data: Record<string, unknown> = { ok: true }): number[] {
    const seqs: number[] = [];
    for (let i = 0; i < n; i++)
      seqs.push(this.channel(channel).publish({ eventType: 'test', data: JSON.stringify(data), clientId: 'server' }).seq);
    return seqs;
  }

  /** Runs every pending hop (RPC, fan-out, retries) until nothing is left to do. */
  async settle(): Promise<void> {
    for (let i = 0; i < 200; i++) await hop();
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
