/**
 * The channel registry: one object that lists channels for management. A
 * channel is registered when it is first used or created explicitly; message
 * counts come from the channel objects themselves.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { isPrivateChannel } from '@pushflodev/sdk/protocol';

export interface ChannelRecord {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  isPrivate: boolean;
  /** Metadata as JSON text (kept as text across RPC). */
  metadata: string | null;
  createdAt: number;
  updatedAt: number;
}

/** `isPrivate` is not patchable: it follows the name (isPrivateChannel), as subscribing does. */
export interface ChannelPatch {
  name?: string;
  description?: string | null;
  /** JSON text, or null to clear. */
  metadata?: string | null;
}

type Row = Record<string, SqlStorageValue>;

/** The registry's name: there is one. */
export const REGISTRY_OBJECT = 'registry';

export class RegistryObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS channels (
      slug TEXT PRIMARY KEY,
      id TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT,
      is_private INTEGER NOT NULL,
      metadata TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`);
  }

  private insert(slug: string, patch: ChannelPatch): ChannelRecord {
    const now = Date.now();
    this.ctx.storage.sql.exec(
      'INSERT INTO channels (slug, id, name, description, is_private, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slug) DO NOTHING',
      slug,
      `ch_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`,
      patch.name ?? slug,
      patch.description ?? null,
      isPrivateChannel(slug) ? 1 : 0,
      patch.metadata ?? null,
      now,
      now,
    );
    return this.get(slug)!;
  }

  /** Registers a channel seen in use (no-op when known). */
  ensure(slug: string): void {
    this.insert(slug, {});
  }

  /** Creates a channel explicitly; null when the slug is taken. */
  create(slug: string, patch: ChannelPatch): ChannelRecord | null {
    if (this.get(slug) !== null) return null;
    return this.insert(slug, patch);
  }

  get(slug: string): ChannelRecord | null {
    const rows = this.ctx.storage.sql.exec<Row>('SELECT * FROM channels WHERE slug = ?', slug).toArray();
    return rows.length === 0 ? null : toRecord(rows[0]!);
  }

  list(page: number, pageSize: number): { items: ChannelRecord[]; total: number } {
    const total = this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM channels').one().n;
    const items = this.ctx.storage.sql
      .exec<Row>('SELECT * FROM channels ORDER BY created_at, slug LIMIT ? OFFSET ?', pageSize, (page - 1) * pageSize)
      .toArray()
      .map(toRecord);
    return { items, total };
  }

  update(slug: string, patch: ChannelPatch): ChannelRecord | null {
    const current = this.get(slug);
    if (current === null) return null;
    this.ctx.storage.sql.exec(
      'UPDATE channels SET name = ?, description = ?, is_private = ?, metadata = ?, updated_at = ? WHERE slug = ?',
      patch.name ?? current.name,
      patch.description === undefined ? current.description : patch.description,
      isPrivateChannel(slug) ? 1 : 0,
      patch.metadata === undefined ? current.metadata : patch.metadata,
      Date.now(),
      slug,
    );
    return this.get(slug);
  }

  remove(slug: string): boolean {
    return this.ctx.storage.sql.exec('DELETE FROM channels WHERE slug = ?', slug).rowsWritten > 0;
  }
}

function toRecord(row: Row): ChannelRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    slug: row.slug as string,
    description: (row.description as string | null) ?? null,
    // From the name, which is what subscribing checks (rows stored before may say otherwise).
    isPrivate: isPrivateChannel(row.slug as string),
    metadata: (row.metadata as string | null) ?? null,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}
