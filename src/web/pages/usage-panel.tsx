/**
 * The "Usage today" panel: each Workers Free daily quota as a bar (used, and a tick at the end-of-day projection),
 * then who spends it, by activity and by object. Bars are SVG attributes, not style: the CSP has no 'unsafe-inline'.
 */
import type { QuotaBar, SpendRow, UsageView } from '../usage';
import { Head } from './parts';

const BAR = { width: 260, height: 14 };
const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en') : n.toLocaleString('en', { maximumFractionDigits: 1 }));
const pct = (n: number, of: number) => `${((100 * n) / of).toLocaleString('en', { maximumFractionDigits: n / of < 0.01 ? 2 : 1 })} %`;

export function UsagePanel({ usage }: { usage: UsageView }) {
  return (
    <section class="usage" data-usage>
      <h2>Usage today ({usage.day}, Workers Free)</h2>
      <p class="muted">
        Resets at {usage.resetAt.replace('T', ' ').replace(/:00\.000Z$/, ' UTC')}. Bars: used so far; the tick is the projection to 00:00 UTC at
        today's rate. Gathering these figures cost {usage.coverage.doRequestsForThisLook} Durable Object requests (the overview's own reads).
      </p>
      <table>
        <Head columns={['Quota', '', 'Used / allowance', 'Projected by 00:00 UTC', 'What counts']} />
        <tbody>
          {usage.quotas.map((q) => (
            <QuotaRow q={q} />
          ))}
        </tbody>
      </table>
      <p class="muted">
        Most subrequests in one invocation: {usage.maxSubrequests.used} of {usage.maxSubrequests.limit} (estimate, an upper bound).
        {usage.coverage.more && ` Only the first ${usage.coverage.queuesRead} queues are read: the totals leave the others out.`}
        {usage.coverage.unreadable.length > 0 && ` Not read: ${usage.coverage.unreadable.join(', ')}.`}
      </p>
      <div class="charts">
        <SpendTable title="By activity" rows={usage.activities.map((a) => ({ ...a, name: a.activity }))} />
        <SpendTable title="By object" rows={usage.objects} />
      </div>
      {usage.notes.map((note) => (
        <p class="muted small">{note}</p>
      ))}
    </section>
  );
}

function QuotaRow({ q }: { q: QuotaBar }) {
  const share = Math.min(1, q.used / q.allowance);
  const projected = Math.min(1, q.projected / q.allowance);
  const level = q.projected > q.allowance ? 'bad' : q.projected > 0.8 * q.allowance ? 'warn' : 'good';
  const label = `${q.label}: ${fmt(q.used)} of ${fmt(q.allowance)} (${pct(q.used, q.allowance)}), projected ${fmt(q.projected)}`;
  return (
    <tr data-quota={q.key}>
      <th>
        {q.label}
        {q.estimate && <span class="muted"> (estimate)</span>}
      </th>
      <td>
        <svg class={`bar ${level}`} role="img" aria-label={label} width={BAR.width} height={BAR.height} viewBox={`0 0 ${BAR.width} ${BAR.height}`}>
          <title>{label}</title>
          <rect class="track" x="0" y="0" width={BAR.width} height={BAR.height} rx="3" />
          <rect class="used" x="0" y="0" width={Math.max(share > 0 ? 1 : 0, Math.round(share * BAR.width))} height={BAR.height} rx="3" />
          <line class="projected" x1={Math.round(projected * (BAR.width - 2)) + 1} y1="0" x2={Math.round(projected * (BAR.width - 2)) + 1} y2={BAR.height} />
        </svg>
      </td>
      <td class="num" data-used={q.used}>
        {fmt(q.used)} / {fmt(q.allowance)} <span class="muted">({pct(q.used, q.allowance)})</span>
      </td>
      <td class={`num ${level === 'good' ? '' : level}`}>
        {fmt(q.projected)} <span class="muted">({pct(q.projected, q.allowance)})</span>
      </td>
      <td class="muted">{q.note}</td>
    </tr>
  );
}

function SpendTable(props: { title: string; rows: (SpendRow & { name: string })[] }) {
  return (
    <figure>
      <figcaption>{props.title}</figcaption>
      <table>
        <Head columns={['', 'DO requests', 'Rows written', 'Rows read', 'GB-s', 'Worker req.']} />
        <tbody>
          {props.rows.map((r) => (
            <tr data-spender={r.name}>
              <td>{r.name}</td>
              <td class="num">{fmt(r.requests)}</td>
              <td class="num">{fmt(r.rowsWritten)}</td>
              <td class="num">{fmt(r.rowsRead)}</td>
              <td class="num">{r.gbSeconds < 10 ? r.gbSeconds.toFixed(2) : fmt(Math.round(r.gbSeconds))}</td>
              <td class="num">{fmt(r.workerRequests)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.rows.length === 0 && <p class="muted">Nothing counted yet today.</p>}
    </figure>
  );
}
