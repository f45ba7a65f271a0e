/**
 * The earlier figures `npm run bench` prints beside its own (bench/reference.json): rows written (every billed
 * write) and DO requests per delivered message, and what they allow a day on Workers Free.
 */
import { readFileSync } from 'node:fs';

interface Figures {
  rowsWritten: number;
  doRequests: number | null;
}

interface Column {
  label: string;
  what: string;
  single: Figures;
  batch10: Figures;
}

/** Workers Free, per account per day: DO requests and rows written (each setAlarm() is one). */
const FREE_REQUESTS = 100_000;
const FREE_ROWS_WRITTEN = 100_000;

const columns = (JSON.parse(readFileSync(new URL('./reference.json', import.meta.url), 'utf8')) as { columns: Column[] }).columns;

/** Messages a day on Free: the first of the two quotas a message spends to run out. */
export function messagesPerDayOnFree(f: Figures): number {
  return Math.floor(Math.min(FREE_ROWS_WRITTEN / f.rowsWritten, f.doRequests ? FREE_REQUESTS / f.doRequests : Infinity));
}

/** A table: one line per path, the reference columns then `now`, for rows, requests and messages/day. */
export function printBilledComparison(now: { single: Figures; batch10: Figures }): void {
  const all = [...columns, { label: 'now', what: 'this run', ...now }];
  const cell = (s: string) => s.padStart(9);
  const head = all.map((c) => cell(c.label)).join('');
  console.log(`\n${''.padEnd(34)}rows written / message${''.padEnd(all.length * 9 - 22)}  DO requests / message${''.padEnd(all.length * 9 - 21)}  messages/day on Free`);
  console.log(`${''.padEnd(34)}${head}  ${head}  ${head}`);
  for (const [key, label] of [['single', 'SendMessage, delivered alone'], ['batch10', 'SendMessageBatch of 10, by 10']] as const) {
    const rows = all.map((c) => cell(c[key].rowsWritten.toFixed(2))).join('');
    const requests = all.map((c) => cell(c[key].doRequests === null ? 'n/a' : c[key].doRequests.toFixed(2))).join('');
    const perDay = all.map((c) => cell(messagesPerDayOnFree(c[key]).toLocaleString('en'))).join('');
    console.log(`${label.padEnd(34)}${rows}  ${requests}  ${perDay}`);
  }
  for (const c of columns) console.log(`  ${c.label}: ${c.what}`);
}
