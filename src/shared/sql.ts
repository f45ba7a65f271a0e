/** SQLite access that counts rows read and written: the billed units, reported under /admin and in benchmarks. */
type Row = Record<string, SqlStorageValue>;

export class SqlCounters {
  rowsRead = 0;
  rowsWritten = 0;
  /** Told of every statement's rows (the usage meter listens here). */
  onRows?: (rowsRead: number, rowsWritten: number) => void;

  constructor(private readonly storage: SqlStorage) {}

  exec(query: string, ...bindings: unknown[]): Row[] {
    const cursor = this.storage.exec(query, ...bindings);
    const rows = cursor.toArray() as Row[];
    this.rowsRead += cursor.rowsRead;
    this.rowsWritten += cursor.rowsWritten;
    this.onRows?.(cursor.rowsRead, cursor.rowsWritten);
    return rows;
  }

  all(query: string, ...bindings: unknown[]): Row[] {
    return this.exec(query, ...bindings);
  }

  one(query: string, ...bindings: unknown[]): Row | undefined {
    return this.exec(query, ...bindings)[0];
  }

  totals(): { rowsRead: number; rowsWritten: number } {
    return { rowsRead: this.rowsRead, rowsWritten: this.rowsWritten };
  }
}
