/** GET /: the function URLs, grouped by service, with their last warming ping. */
import type { IndexFunction } from '../../registry/index-view';
import { formatTime, groupByService } from '../views';
import { Layout } from './layout';
import { Head, PingCell } from './parts';

export function IndexPage(props: { functions: IndexFunction[]; lastSyncAt: number | null }) {
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
            <Head columns={['Function', 'URL', 'Description', 'Runtime', 'Last modified', 'Last ping']} />
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
                    <PingCell ping={fn.lastPing ?? undefined} />
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
