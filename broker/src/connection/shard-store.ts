/** The shard's durable per-socket state (subscriptions, grants) in its SQLite. */
import type { HubStore, SocketAuth } from './hub';

export class ShardStore implements HubStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS socket_channels (
      socket_id TEXT NOT NULL,
      channel TEXT NOT NULL,
      presence INTEGER NOT NULL,
      PRIMARY KEY (socket_id, channel)
    )`);
    sql.exec('CREATE TABLE IF NOT EXISTS socket_auth (socket_id TEXT PRIMARY KEY, cap TEXT NOT NULL, info TEXT)');
    sql.exec('CREATE TABLE IF NOT EXISTS channel_seq (channel TEXT PRIMARY KEY, seq INTEGER NOT NULL)');
  }

  setSeq(channel: string, seq: number): void {
    this.sql.exec(
      'INSERT INTO channel_seq (channel, seq) VALUES (?, ?) ON CONFLICT(channel) DO UPDATE SET seq = excluded.seq',
      channel,
      seq,
    );
  }

  forgetSeq(channel: string): void {
    this.sql.exec('DELETE FROM channel_seq WHERE channel = ?', channel);
  }

  seqs(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.sql.exec<{ channel: string; seq: number }>('SELECT channel, seq FROM channel_seq')) out.set(r.channel, r.seq);
    return out;
  }

  addSub(socketId: string, channel: string, presence: boolean): void {
    this.sql.exec(
      'INSERT INTO socket_channels (socket_id, channel, presence) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET presence = excluded.presence',
      socketId,
      channel,
      presence ? 1 : 0,
    );
  }

  removeSub(socketId: string, channel: string): void {
    this.sql.exec('DELETE FROM socket_channels WHERE socket_id = ? AND channel = ?', socketId, channel);
  }

  removeSocket(socketId: string): void {
    this.sql.exec('DELETE FROM socket_channels WHERE socket_id = ?', socketId);
    this.sql.exec('DELETE FROM socket_auth WHERE socket_id = ?', socketId);
  }

  subs(): Array<{ socketId: string; channel: string; presence: boolean }> {
    return this.sql
      .exec<{ socket_id: string; channel: string; presence: number }>('SELECT * FROM socket_channels')
      .toArray()
      .map((r) => ({ socketId: r.socket_id, channel: r.channel, presence: r.presence === 1 }));
  }

  setAuth(socketId: string, auth: SocketAuth): void {
    this.sql.exec(
      'INSERT INTO socket_auth (socket_id, cap, info) VALUES (?, ?, ?) ON CONFLICT(socket_id) DO UPDATE SET cap = excluded.cap, info = excluded.info',
      socketId,
      JSON.stringify(auth.cap),
      auth.info,
    );
  }

  auths(): Map<string, SocketAuth> {
    const out = new Map<string, SocketAuth>();
    for (const r of this.sql.exec<{ socket_id: string; cap: string; info: string | null }>('SELECT * FROM socket_auth')) {
      out.set(r.socket_id, { cap: JSON.parse(r.cap) as SocketAuth['cap'], info: r.info });
    }
    return out;
  }
}
