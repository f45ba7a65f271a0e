/** The dashboard's pages: overview (sync, queues, functions with their warming and its cost) and one page per queue. */
import { type DeliveryLogEntry, formatBytes, formatTime, type FunctionView, type QueueDetail, type QueueSummary, type SyncStatus } from '../views';
import { LatencyChart } from './chart';
import { FunctionsSection } from './functions-section';
import { Layout } from './layout';
import { Head, Notice, Outcome } from './parts';
import { UsagePanel } from './usage-panel';
import type { UsageView } from '../usage';

const age = (seconds: number | null) => (seconds === null ? '—' : `${seconds} s`);

export function OverviewPage(props: { queues: QueueSummary[]; more: boolean; functions: FunctionView[]; sync: SyncStatus; usage: UsageView; notice?: string; error?: string }) {
  return (
    <Layout title="sqsflare · dashboard" admin>
      <Notice text={props.notice} />
      <Notice text={props.error} error />
      <SyncSection sync={props.sync} />
      <QueuesSection queues={props.queues} more={props.more} />
      <UsagePanel usage={props.usage} />
      <FunctionsSection functions={props.functions} />
    </Layout>
  );
}

function SyncSection({ sync }: { sync: SyncStatus }) {
  return (
    <section>
      <h2>Sync with the Lambda API</h2>
      <p>
        Last sync attempt {formatTime(sync.lastAttemptAt)}, last success {formatTime(sync.lastSuccessAt)}.{' '}
        {sync.lastError ? <span class="bad">Last error: {sync.lastError}</span> : <span class="good">No errors.</span>}
      </p>
      <SyncProgressLine sync={sync} />
      {sync.apiGatewayNotes.map((note) => (
        <p class="notice" data-apigw-note>
          {note}
        </p>
      ))}
      <form method="post" action="/admin/sync" class="inline">
        <button type="submit">Sync now</button>
      </form>
    </section>
  );
}

/** How far the last sync got: a large account is read and applied over several runs. */
function SyncProgressLine({ sync }: { sync: SyncStatus }) {
  const p = sync.progress;
  if (!p) return null;
  const done = p.functionsComplete && p.mappingsApplied === p.mappings;
  return (
    <p class={done ? 'muted' : 'bad'} data-sync-progress>
      Functions read: {p.functionsListed}
      {p.functionsComplete ? ' (complete)' : ' (more next sync)'} · mappings applied: {p.mappingsApplied} of {p.mappings} · URL configs read: {p.urlConfigsChecked} of{' '}
      {p.functionsListed} · API Gateway APIs: {p.apis ?? 0} · calls: {p.subrequests} of {p.budget}
    </p>
  );
}

function QueuesSection(props: { queues: QueueSummary[]; more: boolean }) {
  return (
    <section>
      <h2>Queues</h2>
      <div class="wide">
      <table>
        <Head columns={['Queue', 'Visible', 'In flight', 'Delayed', 'Oldest', 'Function', 'Invocations', 'Failures', 'To DLQ', 'Last delivery']} />
        <tbody>
          {props.queues.map((q) => (
            <QueueRow q={q} />
          ))}
        </tbody>
      </table>
      </div>
      {props.queues.length === 0 && <p class="muted">No queues yet. Create one with any SQS client, or map one to a function in AWS and sync.</p>}
      {props.more && <p class="muted">Showing the first {props.queues.length} queues.</p>}
    </section>
  );
}

function QueueRow({ q }: { q: QueueSummary }) {
  return (
    <tr data-queue={q.name}>
      <td>
        <a href={`/admin/queues/${encodeURIComponent(q.name)}`}>{q.name}</a>
        {q.deadLetterQueue && <div class="muted">DLQ: {q.deadLetterQueue}</div>}
        {q.visibilityWarning && <div class="bad">{q.visibilityWarning}</div>}
        {q.error && <div class="bad">{q.error}</div>}
      </td>
      <td class="num">{q.visible}</td>
      <td class="num">{q.inFlight}</td>
      <td class="num">{q.delayed}</td>
      <td class="num">{age(q.oldestMessageAgeSeconds)}</td>
      <td>
        {q.functionName ?? <span class="muted">none</span>}
        {q.mappingState && <div class="muted">mapping {q.mappingState}</div>}
      </td>
      <td class="num">{q.invocations}</td>
      <td class="num">{q.failures}</td>
      <td class="num">{q.deadLettered}</td>
      <td>{q.lastDelivery ? <Outcome entry={q.lastDelivery} /> : <span class="muted">—</span>}</td>
    </tr>
  );
}

export function QueuePage(props: { queue: QueueDetail; notice?: string; error?: string }) {
  const q = props.queue;
  return (
    <Layout title={`sqsflare · ${q.name}`} admin>
      <p>
        <a href="/admin">← all queues</a>
      </p>
      <Notice text={props.notice} />
      <Notice text={props.error} error />
      <h2>{q.name}</h2>
      <p class="muted">{q.arn}</p>
      <table>
        <tbody>
          <tr>
            <th>Visible</th>
            <td class="num" data-count="visible">{q.visible}</td>
            <th>In flight</th>
            <td class="num" data-count="in-flight">{q.inFlight}</td>
            <th>Delayed</th>
            <td class="num" data-count="delayed">{q.delayed}</td>
            <th>Oldest</th>
            <td class="num">{age(q.oldestMessageAgeSeconds)}</td>
          </tr>
        </tbody>
      </table>
      <OperateSection q={q} />
      <h2>Mapping</h2>
      {q.filterError && <p class="bad" data-filter-error>{q.filterError}</p>}
      {q.visibilityWarning && <p class="bad">{q.visibilityWarning}</p>}
      {q.invocation && <p data-invocation="async">{q.invocation}</p>}
      {q.mapping ? <pre>{JSON.stringify(q.mapping, null, 2)}</pre> : <p class="muted">No function is mapped to this queue.</p>}
      <DeliveriesSection q={q} />
      <MessagesSection q={q} />
    </Layout>
  );
}

function OperateSection({ q }: { q: QueueDetail }) {
  const base = `/admin/queues/${encodeURIComponent(q.name)}`;
  return (
    <>
      <h2>Operate</h2>
      <form method="post" action={`${base}/send`}>
        <label>
          Test message body
          <textarea name="body" required>
            {'{"hello":"from the dashboard"}'}
          </textarea>
        </label>
        <label>
          Delay (s) <input type="number" name="delay" min="0" max="900" value="0" />
        </label>
        {q.fifo && (
          <label>
            Group id <input name="group" value="dashboard" />
          </label>
        )}{' '}
        <button type="submit">Send test message</button>
      </form>
      <p>
        <form method="post" action={`${base}/purge`} class="inline">
          <button type="submit">Purge queue</button>
        </form>{' '}
        {q.deadLetterSources.length > 0 && (
          <form method="post" action={`${base}/redrive`} class="inline">
            <button type="submit">Redrive to {q.deadLetterSources.join(', ')}</button>
          </form>
        )}
      </p>
    </>
  );
}

function DeliveriesSection({ q }: { q: QueueDetail }) {
  return (
    <>
      <h2>Recent deliveries</h2>
      {q.log.length > 0 && <DeliveryCharts log={q.log} />}
      <p class="muted">
        {Object.entries(q.counters)
          .map(([k, v]) => `${k} ${v}`)
          .join(' · ')}{' '}
        · SQLite rows since this object started: read {q.instance.rowsRead}, written {q.instance.rowsWritten}
      </p>
      <table>
        <Head columns={['Time', 'Messages', 'Size', 'Duration', 'Lateness', 'Outcome', 'Error']} />
        <tbody>
          {q.log.map((e) => (
            <tr class="delivery">
              <td>{formatTime(e.at)}</td>
              <td class="num">{e.messages}</td>
              <td class="num">{formatBytes(e.payloadBytes)}</td>
              <td class="num">{e.durationMs} ms</td>
              <td class="num">{Math.max(0, e.at - e.dueAt)} ms</td>
              <td>
                <Outcome entry={e} />
              </td>
              <td>{e.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.log.length === 0 && <p class="muted">No deliveries yet.</p>}
    </>
  );
}

function MessagesSection({ q }: { q: QueueDetail }) {
  return (
    <>
      <h2>Messages (peek)</h2>
      <table>
        <Head columns={['Message id', 'Sent', 'Visible at', 'Receives', 'Body']} />
        <tbody>
          {q.messages.map((m) => (
            <tr class="message">
              <td>{m.messageId}</td>
              <td>{formatTime(m.sentAt)}</td>
              <td>{formatTime(m.visibleAt)}</td>
              <td class="num">{m.receiveCount}</td>
              <td>
                <pre>{m.body.length > 2000 ? `${m.body.slice(0, 2000)}…` : m.body}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.messages.length === 0 && <p class="muted">The queue is empty.</p>}
    </>
  );
}

/** Duration and lateness of the logged invocations, oldest first; failed invocations are red ticks. */
function DeliveryCharts(props: { log: DeliveryLogEntry[] }) {
  const delivered = (e: DeliveryLogEntry) => e.outcome === 'success' || e.outcome === 'partial' || e.outcome === 'filtered';
  const duration = props.log.map((e) => ({ at: e.at, latencyMs: e.durationMs, ok: delivered(e) }));
  const lateness = props.log.map((e) => ({ at: e.at, latencyMs: Math.max(0, e.at - e.dueAt), ok: delivered(e) }));
  return (
    <div class="charts">
      <figure>
        <LatencyChart title="Invocation duration" series={duration} noun="invocations" />
        <figcaption>Invocation duration</figcaption>
      </figure>
      <figure>
        <LatencyChart title="Lateness (start − due time)" series={lateness} noun="invocations" />
        <figcaption>Lateness: start − due time</figcaption>
      </figure>
    </div>
  );
}
