/**
 * Orders: the database is the source of truth. Every change is written with
 * its event and an outbox row in one transaction, then published; a publish
 * that fails stays in the outbox and is retried (with the same idempotency
 * key, so never twice), and customers refetch when replay can't cover a gap.
 */
import { database, transaction } from './db';
import { customerChannel, pushflo } from './pushflo';
import { advanceFrom, allowedNext, EVENT, isStatus, LABEL, type Status } from './status';

export interface Order {
  id: string;
  userId: string;
  customer: string;
  item: string;
  totalCents: number;
  status: Status;
  createdAt: number;
  updatedAt: number;
  events: Array<{ id: string; status: Status; at: number; note: string | null }>;
}

/** What subscribers receive for each change. */
export interface OrderUpdate {
  orderId: string;
  eventId: string;
  status: Status;
  label: string;
  item: string;
  at: number;
  note: string | null;
}

export class AppError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Row = Record<string, unknown>;

function toOrder(row: Row): Order {
  // node:sqlite rows have a null prototype: copy them into plain objects (React server → client props need those).
  const events = (
    database()
      .prepare('SELECT id, status, at, note FROM order_events WHERE order_id = ? ORDER BY at, id')
      .all(row.id as string) as Array<{ id: string; status: Status; at: number; note: string | null }>
  ).map((e) => ({ id: e.id, status: e.status, at: e.at, note: e.note }));
  return {
    id: row.id as string,
    userId: row.user_id as string,
    customer: row.customer as string,
    item: row.item as string,
    totalCents: row.total_cents as number,
    status: row.status as Status,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
    events,
  };
}

const SELECT = 'SELECT o.*, u.name AS customer FROM orders o JOIN users u ON u.id = o.user_id';

export function listOrders(userId?: string): Order[] {
  const rows =
    userId === undefined
      ? (database().prepare(`${SELECT} ORDER BY o.created_at DESC, o.id DESC`).all() as Row[])
      : (database().prepare(`${SELECT} WHERE o.user_id = ? ORDER BY o.created_at DESC, o.id DESC`).all(userId) as Row[]);
  return rows.map(toOrder);
}

export function getOrder(id: string): Order {
  const row = database().prepare(`${SELECT} WHERE o.id = ?`).get(id) as Row | undefined;
  if (row === undefined) throw new AppError(404, 'ORDER_NOT_FOUND', `order '${id}' does not exist`);
  return toOrder(row);
}

export function userExists(id: string): boolean {
  return database().prepare('SELECT 1 FROM users WHERE id = ?').get(id) !== undefined;
}

export function listUsers(): Array<{ id: string; name: string }> {
  return (database().prepare('SELECT id, name FROM users ORDER BY id').all() as Array<{ id: string; name: string }>).map((u) => ({
    id: u.id,
    name: u.name,
  }));
}

const newId = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;

function recordEvent(orderId: string, userId: string, item: string, status: Status, note: string | null, at: number): void {
  const eventId = newId('evt');
  const d = database();
  d.prepare('INSERT INTO order_events (id, order_id, status, note, at) VALUES (?, ?, ?, ?, ?)').run(eventId, orderId, status, note, at);
  const update: OrderUpdate = { orderId, eventId, status, label: LABEL[status], item, at, note };
  d.prepare('INSERT INTO outbox (event_id, channel, event_type, content) VALUES (?, ?, ?, ?)').run(
    eventId,
    customerChannel(userId),
    EVENT[status],
    JSON.stringify(update),
  );
}

/** Publishes everything waiting in the outbox, oldest first; stops at the first failure. */
export async function flushOutbox(): Promise<{ published: number; pending: number }> {
  const d = database();
  const rows = d.prepare('SELECT ob.* FROM outbox ob JOIN order_events e ON e.id = ob.event_id ORDER BY e.at, e.id').all() as Array<{
    event_id: string;
    channel: string;
    event_type: string;
    content: string;
  }>;
  let published = 0;
  for (const row of rows) {
    try {
      await pushflo.publish(row.channel, JSON.parse(row.content) as Record<string, unknown>, {
        eventType: row.event_type,
        idempotencyKey: row.event_id,
      });
      d.prepare('DELETE FROM outbox WHERE event_id = ?').run(row.event_id);
      published++;
    } catch {
      d.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE event_id = ?').run(row.event_id);
      break; // keep per-channel order: later ones wait for this one
    }
  }
  return { published, pending: rows.length - published };
}

export interface NewOrder {
  userId: string;
  item: string;
  totalCents: number;
}

export function parseNewOrder(body: unknown): NewOrder {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError(400, 'INVALID_BODY', 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.userId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(b.userId))
    throw new AppError(400, 'INVALID_USER', "'userId' must be a customer id");
  if (typeof b.item !== 'string' || b.item.trim().length === 0 || b.item.length > 120)
    throw new AppError(400, 'INVALID_ITEM', "'item' must be 1 to 120 characters");
  const total = b.totalCents;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0 || total > 100_000_000)
    throw new AppError(400, 'INVALID_TOTAL', "'totalCents' must be a whole number of cents from 0 to 100000000");
  if (!userExists(b.userId)) throw new AppError(404, 'USER_NOT_FOUND', `customer '${b.userId}' does not exist`);
  return { userId: b.userId, item: b.item.trim(), totalCents: total };
}

export function createOrder(input: NewOrder): Order {
  const id = newId('ord');
  const now = Date.now();
  transaction((d) => {
    d.prepare('INSERT INTO orders (id, user_id, item, total_cents, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id,
      input.userId,
      input.item,
      input.totalCents,
      'placed',
      now,
      now,
    );
    recordEvent(id, input.userId, input.item, 'placed', null, now);
  });
  return getOrder(id);
}

/** `{status}` to set one, or `{action: 'advance' | 'delay' | 'cancel'}`. */
export function parseChange(body: unknown, order: Order): { status: Status; note: string | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError(400, 'INVALID_BODY', 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  const note = typeof b.note === 'string' && b.note.trim() ? b.note.trim().slice(0, 200) : null;
  const resumeAt = database().prepare('SELECT resume_at FROM orders WHERE id = ?').get(order.id) as { resume_at: Status | null };
  let target: Status | null;
  if (b.action !== undefined) {
    if (b.action === 'advance') target = advanceFrom(order.status, resumeAt.resume_at);
    else if (b.action === 'delay') target = 'delayed';
    else if (b.action === 'cancel') target = 'cancelled';
    else throw new AppError(400, 'INVALID_ACTION', "'action' must be 'advance', 'delay' or 'cancel'");
  } else if (isStatus(b.status)) {
    target = b.status;
  } else {
    throw new AppError(400, 'INVALID_STATUS', "send {status: 'confirmed' | 'shipped' | …} or {action: 'advance' | 'delay' | 'cancel'}");
  }
  if (target === null || !allowedNext(order.status, resumeAt.resume_at).includes(target)) {
    throw new AppError(
      409,
      'INVALID_TRANSITION',
      `an order that is ${LABEL[order.status].toLowerCase()} cannot become ${target === null ? 'anything else' : LABEL[target].toLowerCase()}`,
    );
  }
  return { status: target, note };
}

export function changeStatus(order: Order, status: Status, note: string | null): Order {
  const now = Math.max(Date.now(), order.updatedAt + 1);
  transaction((d) => {
    const resumeAt = status === 'delayed' ? order.status : null;
    // Guard against a concurrent change: only move from the status we checked.
    const res = d
      .prepare('UPDATE orders SET status = ?, resume_at = ?, updated_at = ? WHERE id = ? AND status = ?')
      .run(status, resumeAt, now, order.id, order.status);
    if (res.changes !== 1) throw new AppError(409, 'CONFLICT', 'the order changed meanwhile; reload and try again');
    recordEvent(order.id, order.userId, order.item, status, note, now);
  });
  return getOrder(order.id);
}
