/** Small pieces more than one page shows. hono/jsx escapes every interpolated value. */
import { type DeliveryLogEntry, formatTime, type PingView, pingOk } from '../views';

export function Notice(props: { text?: string; error?: boolean }) {
  if (!props.text) return null;
  return (
    <p class={props.error ? 'notice error' : 'notice'} role="status">
      {props.text}
    </p>
  );
}

/** A table's head row. */
export function Head(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((column) => (
          <th>{column}</th>
        ))}
      </tr>
    </thead>
  );
}

export function PingCell(props: { ping?: PingView }) {
  const ping = props.ping;
  if (!ping) return <span class="muted">—</span>;
  return (
    <span class={pingOk(ping) ? 'good' : 'bad'} title={formatTime(ping.at)}>
      {ping.status ?? 'error'} · {ping.latencyMs ?? '—'} ms{ping.coldStartLikely ? ' · cold start?' : ''}
      {ping.error ? ` · ${ping.error}` : ''}
    </span>
  );
}

/** A delivery's outcome, green when the messages were dealt with. */
export function Outcome(props: { entry: DeliveryLogEntry }) {
  const e = props.entry;
  const good = e.outcome === 'success' || e.outcome === 'filtered';
  return (
    <span class={good ? 'good' : 'bad'} title={formatTime(e.at)}>
      {e.outcome}
    </span>
  );
}
