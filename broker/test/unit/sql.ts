/** Durable Object `SqlStorage` over node:sqlite, enough for the broker's stores (exec → toArray / one / iterate). */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';

export function memorySql(db = new DatabaseSync(':memory:')): SqlStorage {
  const sql = {
    exec(query: string, ...bindings: unknown[]) {
      const rows = db.prepare(query).all(...(bindings as SQLInputValue[])) as Array<Record<string, SqlStorageValue>>;
      return {
        toArray: () => rows,
        one: () => {
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${query}`);
          return rows[0]!;
        },
        [Symbol.iterator]: () => rows[Symbol.iterator](),
      };
    },
  };
  return sql as unknown as SqlStorage;
}
