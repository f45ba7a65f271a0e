/** GET / and /index.json: the function URLs, grouped by service, with their last warming ping. */
import { formatTime, type FunctionView, groupByService } from './views';
import { Layout } from './layout';

export function indexJson(functions: FunctionView[], lastSyncAt: number | null) {
  return {
    lastSyncAt: lastSyncAt ? new Date(lastSyncAt).toISOString() : null,
    services: groupByService(functions).map((g) => ({
      service: g.service,
      functions: g.functions.map((f) => ({
        name: f.name,
        url: f.url ?? null,
        authType: f.authType ?? null,
        description: f.description,
        runtime: f.runtime,
        lastModified: f.lastModified,
        lastPing: f.lastPing ? { at: new Date(f.lastPing.at).toISOString(), status: f.lastPing.status, latencyMs: f.lastPing.latencyMs, error: f.lastPing.error ?? null } : null,
      })),
    })),
  };
}

export function IndexPage(props: { functions: FunctionView[]; lastSyncAt: number | null }) {
  const groups = groupByService(props.functions);
  return (
    <Layout title="sqsflare · functions">
      <p class="muted">
        {props.functions.length} functions, learnt from the Lambda API {props.lastSyncAt ? `at ${formatTime(props.lastSyncAt)}` : '(not synced yet)'}. Also as{' '}
        <a href="/index.json">JSON</a>.
      </p>
      {groups.length === 0 && <p>No functions yet: the cron syncs every 5 minutes, or press “Sync now” on the dashboard.</p>}
      {groups.map((group) => (
        <section>
          <h2>{group.service}</h2>
          <table>
            <thead>
              <tr>
                <th>Function</th>
                <th>URL</th>
                <th>Description</th>
                <th>Runtime</th>
                <th>Last modified</th>
                <th>Last ping</th>
              </tr>
            </thead>
            <tbody>
              {group.functions.map((fn) => (
                <tr>
                  <td>{fn.name}</td>
                  <td>
                    {fn.url ? <a href={fn.url}>{fn.url}</a> : <span class="muted">no URL</span>}
                    {fn.authType === 'AWS_IAM' && <span class="muted"> (IAM)</span>}
                  </td>
                  <td>{fn.description}</td>
                  <td>{fn.runtime}</td>
                  <td>{fn.lastModified}</td>
                  <td>
                    <PingCell ping={fn.lastPing} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </Layout>
  );
}

export function PingCell(props: { ping?: FunctionView['lastPing'] }) {
  const ping = props.ping;
  if (!ping) return <span class="muted">—</span>;
  const ok = ping.status !== null && ping.status < 500 && !ping.error;
  return (
    <span class={ok ? 'good' : 'bad'} title={formatTime(ping.at)}>
      {ping.status ?? 'error'} · {ping.latencyMs ?? '—'} ms{ping.coldStartLikely ? ' · cold start?' : ''}
      {ping.error ? ` · ${ping.error}` : ''}
    </span>
  );
}
