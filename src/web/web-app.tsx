/**
 * The pages people look at: the public index of function URLs (GET /, /index.json) and the admin dashboard
 * (/admin, Basic auth as `admin` with ADMIN_PASSWORD) with its JSON under /admin/api. Forms are CSRF-checked.
 * Routes and middleware only: reads are in read.ts, the buttons' work in operations.ts, the pages in pages/.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import type { Env } from '../env';
import { validateQueueName } from '../protocol/message-input';
import { asSqsError } from '../protocol/wire';
import { registryObject } from '../shared/rpc';
import { operate, redirectWith, verifiedNotice } from './notices';
import { purgeQueue, redriveDeadLetters, sendTestMessage, syncNow, type Target } from './operations';
import { OverviewPage, QueuePage } from './pages/admin-pages';
import { IndexPage } from './pages/index-page';
import { STYLESHEET } from './pages/style';
import { loadFunctions, loadQueueDetail, loadQueueSummaries } from './read';
import { usageView } from './usage';
import { indexJson } from './index-model';

type AppEnv = { Bindings: Env };

const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'same-origin',
});

/** Basic auth as `admin`; with no ADMIN_PASSWORD configured the dashboard stays shut rather than open. */
const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const password = c.env.ADMIN_PASSWORD;
  if (!password) return c.text('The dashboard is disabled: set the ADMIN_PASSWORD secret.', 503);
  return basicAuth({ username: 'admin', password, realm: 'sqsflare admin' })(c, next);
};

/** Any common spelling of yes makes the index private: a typo must not leave it public by surprise. */
export const indexIsPrivate = (value: string | undefined) => /^\s*(1|true|yes|on)\s*$/i.test(value ?? '');
const indexAuth: MiddlewareHandler<AppEnv> = async (c, next) => (indexIsPrivate(c.env.INDEX_PRIVATE) ? adminAuth(c, next) : next());

/** The queue named in the path, or null (the route answers 404): names are validated before they reach a Durable Object. */
function pathQueue(c: Context<AppEnv>): Target | null {
  const name = c.req.param('name') ?? '';
  try {
    validateQueueName(name, name.endsWith('.fifo'));
    return { env: c.env, origin: new URL(c.req.url).origin, name };
  } catch {
    return null;
  }
}

const queuePage = (name: string) => `/admin/queues/${encodeURIComponent(name)}`;

export const webApp = new Hono<AppEnv>();

webApp.get('/assets/sqsflare.css', (c) =>
  c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
);

// The index comes from the registry's memory (src/registry/index-view.ts): a hit reads no SQLite rows.
webApp.get('/', pageHeaders, indexAuth, async (c) => {
  const view = await registryObject(c.env).indexView();
  return c.html(<IndexPage view={view} />);
});

webApp.get('/index.json', indexAuth, async (c) => c.json(indexJson(await registryObject(c.env).indexView())));

const admin = new Hono<AppEnv>();
admin.use('*', pageHeaders, adminAuth, csrf());

admin.get('/', async (c) => {
  const [{ queues, more }, { functions, sync, usage }] = await Promise.all([loadQueueSummaries(c.env), loadFunctions(c.env)]);
  const { notice, error } = await verifiedNotice(c);
  const usageToday = usageView(usage, queues, more);
  return c.html(<OverviewPage queues={queues} more={more} functions={functions} sync={sync} usage={usageToday} notice={notice} error={error} />);
});

admin.get('/queues/:name', async (c) => {
  const target = pathQueue(c);
  if (!target) return c.text('No such queue.', 404);
  try {
    const queue = await loadQueueDetail(c.env, target.name);
    const { notice, error } = await verifiedNotice(c);
    return c.html(<QueuePage queue={queue} notice={notice} error={error} />);
  } catch (error) {
    const e = asSqsError(error);
    return c.text(e.message, e.status === 500 ? 500 : 404);
  }
});

admin.post('/sync', async (c) => {
  const { kind, text } = await syncNow(c.env);
  return redirectWith(c, '/admin', kind, text);
});

admin.post('/queues/:name/purge', (c) => {
  const target = pathQueue(c);
  if (!target) return c.text('No such queue.', 404);
  return operate(c, queuePage(target.name), () => purgeQueue(target));
});

admin.post('/queues/:name/send', async (c) => {
  const target = pathQueue(c);
  if (!target) return c.text('No such queue.', 404);
  const form = await c.req.parseBody();
  return operate(c, queuePage(target.name), () => sendTestMessage(target, form));
});

admin.post('/queues/:name/redrive', (c) => {
  const target = pathQueue(c);
  if (!target) return c.text('No such queue.', 404);
  return operate(c, queuePage(target.name), () => redriveDeadLetters(target));
});

// JSON for scripts and the benchmarks.
admin.get('/api/queues', async (c) => c.json(await loadQueueSummaries(c.env)));
admin.get('/api/queues/:name', async (c) => {
  const target = pathQueue(c);
  if (!target) return c.json({ error: 'No such queue.' }, 404);
  try {
    return c.json(await loadQueueDetail(c.env, target.name));
  } catch (error) {
    return c.json({ error: asSqsError(error).message }, 404);
  }
});
// The usage panel's figures: the same reads as the overview (see src/web/usage.ts).
admin.get('/api/usage', async (c) => {
  const [{ queues, more }, { usage }] = await Promise.all([loadQueueSummaries(c.env), loadFunctions(c.env)]);
  return c.json(usageView(usage, queues, more));
});
admin.get('/api/registry', async (c) => c.json(await registryObject(c.env).registryState()));

webApp.route('/admin', admin);
