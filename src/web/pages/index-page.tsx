/**
 * GET /: per service, its HTTP entry points (function URLs, HTTP API and REST API stages, and the functions behind
 * each), then its functions with their last warming. Lists, not tables, and URLs that wrap: readable at 390 px, no script.
 */
import type { IndexView } from '../../registry/index-view';
import { type EntryPoint, type IndexService, indexServices } from '../index-model';
import { formatTime } from '../views';
import { Layout } from './layout';
import { PingCell } from './parts';

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const KIND_LABEL: Record<EntryPoint['kind'], string> = { 'function-url': 'Function URL', 'http-api': 'HTTP API', 'rest-api': 'REST API' };

export function IndexPage(props: { view: IndexView }) {
  const services = indexServices(props.view);
  const { functions, apis, lastSyncAt } = props.view;
  return (
    <Layout title="sqsflare · functions">
      <p class="muted">
        {plural(functions.length, 'function')} and {plural(apis.length, 'API Gateway API')} in {plural(services.length, 'service')}, learnt from AWS{' '}
        {lastSyncAt ? `at ${formatTime(lastSyncAt)}` : '(not synced yet)'}. Also as <a href="/index.json">JSON</a>.
      </p>
      {services.length === 0 && <p>No functions yet: the cron syncs every 5 minutes, or press “Sync now” on the dashboard.</p>}
      {services.map((s) => (
        <ServiceSection service={s} />
      ))}
    </Layout>
  );
}

function ServiceSection({ service }: { service: IndexService }) {
  return (
    <section class="service" data-service={service.service}>
      <h2>{service.service}</h2>
      {service.entryPoints.length > 0 ? (
        <ul class="entries">
          {service.entryPoints.map((e) => (
            <Entry entry={e} />
          ))}
        </ul>
      ) : (
        <p class="muted">No HTTP entry point.</p>
      )}
      <ul class="fns">
        {service.functions.map((fn) => (
          <li data-function={fn.name}>
            <strong class="name">{fn.name}</strong> <span class="muted">{fn.runtime}</span>
            {fn.description && <div>{fn.description}</div>}
            <div class="muted">
              modified {fn.lastModified || '—'} · {fn.warming === 'invoke' ? 'warmed by Invoke' : fn.warming === 'url' ? 'warmed by URL ping' : 'not warmed'}
              {fn.lastPing && (
                <>
                  {' · last: '}
                  <PingCell ping={fn.lastPing} />
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Entry({ entry }: { entry: EntryPoint }) {
  return (
    <li class="entry" data-entry={entry.kind}>
      <span class="kind">{KIND_LABEL[entry.kind]}</span> {entry.kind !== 'function-url' && <strong class="name">{entry.name}</strong>}
      {entry.urls.length === 0 && <div class="muted">execute-api endpoint disabled</div>}
      {entry.urls.map((u) => (
        <div class="url">
          {u.stage !== null && <span class="stage">{u.stage}</span>} <a href={u.url}>{u.url}</a>
        </div>
      ))}
      {entry.note && <div class="muted">{entry.note}</div>}
      <div class="behind">→ {entry.functions.length ? entry.functions.join(', ') : 'no Lambda integration'}</div>
    </li>
  );
}
