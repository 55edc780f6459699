/**
 * A channel's presence: who is here. Kept in the channel's SQLite, so it
 * survives eviction and hibernation. A member is a client id; each of its
 * sockets (tabs) is a connection, and the member leaves when its last
 * connection does.
 */
import type { PresenceMember } from '@pushflodev/sdk/protocol';

export type { Connection } from '../rpc';
import type { Connection } from '../rpc';

export class Presence {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS presence (
      connection_id TEXT PRIMARY KEY,
      client_id TEXT NOT NULL,
      data TEXT,
      shard TEXT NOT NULL,
      joined_at INTEGER NOT NULL
    )`);
    sql.exec('CREATE INDEX IF NOT EXISTS presence_by_client ON presence (client_id)');
  }

  private connections(clientId: string): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM presence WHERE client_id = ?', clientId).one().n;
  }

  /** Adds a connection; returns the member when this client id just arrived. */
  join(shard: string, c: Connection, now: number): PresenceMember | null {
    const isNew = this.connections(c.clientId) === 0;
    this.sql.exec(
      'INSERT INTO presence (connection_id, client_id, data, shard, joined_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(connection_id) DO UPDATE SET data = excluded.data',
      c.connectionId,
      c.clientId,
      c.data,
      shard,
      now,
    );
    return isNew ? toMember(c.clientId, c.data) : null;
  }

  /** Removes connections; returns the members that left (their last connection went). */
  leave(connectionIds: Iterable<string>): PresenceMember[] {
    const left: PresenceMember[] = [];
    for (const id of connectionIds) {
      const row = this.sql
        .exec<{ client_id: string; data: string | null }>('SELECT client_id, data FROM presence WHERE connection_id = ?', id)
        .toArray()[0];
      if (row === undefined) continue;
      this.sql.exec('DELETE FROM presence WHERE connection_id = ?', id);
      if (this.connections(row.client_id) === 0) left.push(toMember(row.client_id, row.data));
    }
    return left;
  }

  /** Removes every connection held by a shard (it is gone). */
  leaveShard(shard: string): PresenceMember[] {
    const ids = this.sql.exec<{ connection_id: string }>('SELECT connection_id FROM presence WHERE shard = ?', shard).toArray();
    return this.leave(ids.map((r) => r.connection_id));
  }

  /** Current members, one per client id, in order of arrival. */
  members(): PresenceMember[] {
    return this.sql
      .exec<{ client_id: string; data: string | null }>(
        'SELECT client_id, data FROM presence WHERE connection_id IN (SELECT MIN(connection_id) FROM presence GROUP BY client_id) ORDER BY joined_at, client_id',
      )
      .toArray()
      .map((r) => toMember(r.client_id, r.data));
  }
}

function toMember(clientId: string, data: string | null): PresenceMember {
  return { clientId, data: data === null ? null : (JSON.parse(data) as Record<string, unknown>) };
}
