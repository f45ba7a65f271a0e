/** The queue catalog inside the registry: which queues exist, and which use which as a dead-letter queue. */
import type { SqlCounters } from '../shared/sql';

const CATALOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, dead_letter_queue TEXT);
CREATE INDEX IF NOT EXISTS queues_by_dlq ON queues (dead_letter_queue);
`;

export interface CatalogEntry {
  name: string;
  createdAt: number;
  deadLetterQueue: string | null;
}

export class Catalog {
  constructor(private readonly sql: SqlCounters) {
    sql.exec(CATALOG_SCHEMA);
  }

  has(name: string): boolean {
    return this.sql.one('SELECT 1 AS x FROM queues WHERE name = ?', name) !== undefined;
  }

  /** When the queue object was created, as the catalog knows it; undefined for a queue it does not list. */
  createdAt(name: string): number | undefined {
    return this.sql.one('SELECT created_at FROM queues WHERE name = ?', name)?.created_at as number | undefined;
  }

  upsert(name: string, createdAt: number, deadLetterQueue: string | null): void {
    this.sql.exec(
      `INSERT INTO queues (name, created_at, dead_letter_queue) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET dead_letter_queue = excluded.dead_letter_queue`,
      name,
      createdAt,
      deadLetterQueue,
    );
  }

  remove(name: string): void {
    this.sql.exec('DELETE FROM queues WHERE name = ?', name);
  }

  /** Names in order, after `after` (exclusive), for ListQueues' NextToken paging. */
  list(prefix: string, limit: number, after?: string): string[] {
    // Bounds instead of LIKE: prefixes may contain `_`, which LIKE treats as a wildcard.
    return this.sql
      .all(
        'SELECT name FROM queues WHERE name >= ? AND name < ? AND name > ? ORDER BY name LIMIT ?',
        prefix,
        prefix + '\uffff',
        after ?? '',
        limit,
      )
      .map((r) => r.name as string);
  }

  deadLetterSources(dlq: string, limit: number, after?: string): string[] {
    return this.sql
      .all('SELECT name FROM queues WHERE dead_letter_queue = ? AND name > ? ORDER BY name LIMIT ?', dlq, after ?? '', limit)
      .map((r) => r.name as string);
  }

  all(): CatalogEntry[] {
    return this.sql.all('SELECT * FROM queues ORDER BY name').map((r) => ({
      name: r.name as string,
      createdAt: r.created_at as number,
      deadLetterQueue: (r.dead_letter_queue as string | null) ?? null,
    }));
  }
}
