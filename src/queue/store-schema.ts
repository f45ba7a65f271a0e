/**
 * The queue's SQLite schema and the shapes of a message row's key and contents. store.ts runs every statement on
 * these tables; store-packed.ts knows how one row carries several messages.
 */
import type { StoredMessage } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
-- Text-keyed tables are WITHOUT ROWID: in a rowid table a TEXT key is a second index, and every insert or replace
-- writes two billed rows instead of one (measured: rowsWritten 2 vs 1).
-- A row holds n messages (store-packed.ts): the first in the columns, the others in pack (JSON), at seq + 1 … n − 1.
CREATE TABLE IF NOT EXISTS messages (
  visible_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  md5 TEXT NOT NULL,
  attrs TEXT,
  attrs_md5 TEXT,
  trace TEXT,
  group_id TEXT,
  dedup_id TEXT,
  sent_at INTEGER NOT NULL,
  first_received_at INTEGER,
  receive_count INTEGER NOT NULL DEFAULT 0,
  nonce TEXT,
  dlq_source TEXT,
  lease_until INTEGER,
  n INTEGER NOT NULL DEFAULT 1,
  pack TEXT,
  PRIMARY KEY (visible_at, seq)
) WITHOUT ROWID;
-- FIFO selection goes by group heads: (group_id, seq) replaces the earlier index on (seq) alone, at the same cost
-- (one index row per grouped message). A table of groups with their heads would cost a write per send and per delete.
DROP INDEX IF EXISTS messages_fifo_order;
CREATE INDEX IF NOT EXISTS messages_fifo_groups ON messages (group_id, seq) WHERE group_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS relocated (seq INTEGER PRIMARY KEY, visible_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, message_id TEXT NOT NULL, seq INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS move_tasks (handle TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** Columns added since the table was first created: CREATE TABLE IF NOT EXISTS leaves an existing table as it was. */
const ADDED_COLUMNS: [string, string][] = [
  ['lease_until', 'lease_until INTEGER'],
  ['n', 'n INTEGER NOT NULL DEFAULT 1'],
  ['pack', 'pack TEXT'],
];

/** Creates the tables, and the columns an older object lacks; idempotent. */
export function migrateSchema(sql: SqlCounters): void {
  sql.exec(SCHEMA);
  const columns = new Set(sql.all("SELECT name FROM pragma_table_info('messages')").map((c) => c.name as string));
  for (const [name, definition] of ADDED_COLUMNS) if (!columns.has(name)) sql.exec(`ALTER TABLE messages ADD COLUMN ${definition}`);
}

/** A message's key: its row's visible_at and its own seq (a packed row's messages are at its seq + 0 … n − 1). */
export interface RowKey {
  visibleAt: number;
  seq: number;
}

/** What a new row holds, whether sent here or moved in from another queue. */
export type NewRow = Pick<
  StoredMessage,
  | 'messageId'
  | 'body'
  | 'md5OfBody'
  | 'messageAttributes'
  | 'md5OfMessageAttributes'
  | 'awsTraceHeader'
  | 'groupId'
  | 'deduplicationId'
  | 'sentAt'
  | 'visibleAt'
  | 'deadLetterSourceArn'
>;

/** What a receive or a failed delivery leaves on the row. */
export interface ReceiveMark {
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  nonce: string | null;
}
