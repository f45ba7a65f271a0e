/**
 * The parts of the message store that delivery leases add (issue 10): the column, the condition that excludes leased
 * rows, and the shape of a due message planned without its body. The statements themselves are in store.ts.
 */
import { SQL_MAX_BOUND_PARAMETERS } from '../shared/platform';
import type { SqlCounters } from '../shared/sql';

/** A due message as a batch is planned on it: its key, group, receives so far and UTF-8 size (no body). */
export interface DueKey {
  visibleAt: number;
  seq: number;
  groupId?: string;
  receiveCount: number;
  bytes: number;
}

/** A row is leased while lease_until is ahead of now (bound as the statement's `now` parameter). */
export const NOT_LEASED = '(lease_until IS NULL OR lease_until <= ?)';

/** Objects created before leases get the column: CREATE TABLE IF NOT EXISTS leaves an existing table as it was. */
export function addLeaseColumn(sql: SqlCounters): void {
  const columns = sql.all("SELECT name FROM pragma_table_info('messages')");
  if (!columns.some((c) => c.name === 'lease_until')) sql.exec('ALTER TABLE messages ADD COLUMN lease_until INTEGER');
}

export function keyChunks<K>(keys: K[]): K[][] {
  const perStatement = Math.floor((SQL_MAX_BOUND_PARAMETERS - 10) / 2);
  const chunks: K[][] = [];
  for (let i = 0; i < keys.length; i += perStatement) chunks.push(keys.slice(i, i + perStatement));
  return chunks;
}
