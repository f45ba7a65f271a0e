/** The API Gateway APIs a sync learnt (the `apis` table): one small row per API, written only when it changed. */
import { apiKey, type GatewayApi } from '../lambda/api-gateway';
import type { SqlCounters } from '../shared/sql';

export class ApiStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS apis (key TEXT PRIMARY KEY, record TEXT NOT NULL)');
  }

  /** key (`http:id`, `rest:id`) → API; one row read per API. */
  all(): Map<string, GatewayApi> {
    return new Map(this.sql.all('SELECT key, record FROM apis ORDER BY key').map((r) => [r.key as string, JSON.parse(r.record as string) as GatewayApi]));
  }

  /** Writes the API unless the stored one is the same; true when it wrote. */
  put(api: GatewayApi, stored: GatewayApi | undefined): boolean {
    const json = JSON.stringify(api);
    if (stored && JSON.stringify(stored) === json) return false;
    this.sql.exec('INSERT INTO apis (key, record) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record', apiKey(api), json);
    return true;
  }

  remove(key: string): void {
    this.sql.exec('DELETE FROM apis WHERE key = ?', key);
  }
}
