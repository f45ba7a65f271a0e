/**
 * The pages people look at: the public index of function URLs (GET /, /index.json) and the admin dashboard
 * (/admin, Basic auth as `admin` with ADMIN_PASSWORD) with its JSON under /admin/api. Forms are CSRF-checked.
 */
import { toHex } from '../shared/bytes';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import type { Env } from '../env';
import { asSqsError } from '../protocol/wire';
import { actions } from '../protocol/actions';
import { validateQueueName } from '../protocol/message-input';
import { queueArn, queueUrl } from '../shared/names';
import { functionNameOf, OverviewPage, type QueueDetail, QueuePage, type QueueSummary } from './admin-pages';
import { IndexPage, indexJson } from './index-page';
import { STYLESHEET } from './style';
import { loadFunctions } from './registry-view';
import { queueObject, registryObject } from '../shared/rpc';
import { timingSafeEqual } from 'hono/utils/buffer';

type AppEnv = { Bindings: Env };

/** Queues whose live counts the overview fetches: each is one Durable Object call (a subrequest). */
export const OVERVIEW_QUEUE_LIMIT = 30;
const PEEK_LIMIT = 20;

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

export const webApp = new Hono<AppEnv>();

webApp.get('/assets/sqsflare.css', (c) =>
  c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
);

// ---- index ----------------------------------------------------------------------------------------

/** Any common spelling of yes makes the index private: a typo must not leave it public by surprise. */
export const indexIsPrivate = (value: string | undefined) => /^\s*(1|true|yes|on)\s*$/i.test(value ?? '');
const indexAuth: MiddlewareHandler<AppEnv> = async (c, next) => (indexIsPrivate(c.env.INDEX_PRIVATE) ? adminAuth(c, next) : next());

// GET /?Action=… is a presigned SQS call: leave it to the SQS app.
webApp.get('/', pageHeaders, indexAuth, async (c) => {
  const { functions, sync } = await loadFunctions(c.env);
  return c.html(<IndexPage functions={functions} lastSyncAt={sync.lastSuccessAt} />);
});

webApp.get('/index.json', indexAuth, async (c) => {
  const { functions, sync } = await loadFunctions(c.env);
  return c.json(indexJson(functions, sync.lastSuccessAt));
});

// ---- dashboard --------------------------------------------------------------------------------------

const admin = new Hono<AppEnv>();
admin.use('*', pageHeaders, adminAuth, csrf());

async function queueSummaries(env: Env): Promise<{ queues: QueueSummary[]; more: boolean }> {
  const catalog = await registryObject(env).queues();
  const shown = catalog.slice(0, OVERVIEW_QUEUE_LIMIT);
  const queues = await Promise.all(
    shown.map(async (entry): Promise<QueueSummary> => {
      const base = { name: entry.name, fifo: entry.name.endsWith('.fifo'), deadLetterQueue: entry.deadLetterQueue };
      try {
        const s = await queueObject(env, entry.name).stats();
        return {
          ...base,
          visible: s.visible,
          inFlight: s.inFlight,
          delayed: s.delayed,
          oldestMessageAgeSeconds: s.oldestMessageAgeSeconds,
          functionName: functionNameOf(s.mapping?.functionArn),
          mappingState: s.mapping?.state ?? null,
          invocations: s.delivery.counters.invocations,
          failures: s.delivery.counters.failures,
          deadLettered: s.delivery.counters.deadLettered,
          lastDelivery: s.delivery.log[0],
        };
      } catch (error) {
        const e = asSqsError(error);
        return { ...base, visible: 0, inFlight: 0, delayed: 0, oldestMessageAgeSeconds: null, functionName: null, mappingState: null, invocations: 0, failures: 0, deadLettered: 0, error: e.message };
      }
    }),
  );
  return { queues, more: catalog.length > shown.length };
}

async function queueDetail(env: Env, name: string): Promise<QueueDetail> {
  const stub = queueObject(env, name);
  const s = await stub.stats(); // throws QueueDoesNotExist before the other calls start
  const [messages, sources] = await Promise.all([stub.peek(PEEK_LIMIT), registryObject(env).deadLetterSources(name, 10)]);
  return {
    name: s.name,
    arn: s.arn,
    fifo: s.fifo,
    attributes: s.attributes,
    visible: s.visible,
    inFlight: s.inFlight,
    delayed: s.delayed,
    oldestMessageAgeSeconds: s.oldestMessageAgeSeconds,
    mapping: s.mapping,
    counters: { ...s.delivery.counters },
    log: s.delivery.log,
    alarmAt: s.alarmAt,
    instance: s.instance,
    deadLetterSources: sources,
    messages,
  };
}

/** The queue named in the path, or a 404: names are validated before they reach a Durable Object. */
function pathQueue(c: Context<AppEnv>): string | null {
  const name = c.req.param('name') ?? '';
  try {
    validateQueueName(name, name.endsWith('.fifo'));
    return name;
  } catch {
    return null;
  }
}

admin.get('/', async (c) => {
  const [{ queues, more }, { functions, sync }] = await Promise.all([queueSummaries(c.env), loadFunctions(c.env)]);
  const { notice, error } = await verifiedNotice(c);
  return c.html(<OverviewPage queues={queues} more={more} functions={functions} sync={sync} notice={notice} error={error} />);
});

admin.get('/queues/:name', async (c) => {
  const name = pathQueue(c);
  if (!name) return c.text('No such queue.', 404);
  try {
    const queue = await queueDetail(c.env, name);
    const { notice, error } = await verifiedNotice(c);
    return c.html(<QueuePage queue={queue} notice={notice} error={error} />);
  } catch (error) {
    const e = asSqsError(error);
    return c.text(e.message, e.status === 500 ? 500 : 404);
  }
});

/**
 * Notices travel in the redirect's query (post/redirect/get), signed with a key derived from ADMIN_PASSWORD: a
 * crafted link cannot make the dashboard show its own text ("session expired, log in at …").
 */
async function noticeSignature(env: Env, kind: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(`sqsflare-notice\n${env.ADMIN_PASSWORD ?? ''}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${kind}\n${text}`)));
  return toHex(mac.subarray(0, 16));
}

async function redirectWith(c: Context<AppEnv>, to: string, kind: 'notice' | 'error', text: string): Promise<Response> {
  const sig = await noticeSignature(c.env, kind, text);
  return c.redirect(`${to}?${kind}=${encodeURIComponent(text)}&sig=${sig}`, 303);
}

/** The notice or error in the query, if this dashboard wrote it; anything else is not shown. */
async function verifiedNotice(c: Context<AppEnv>): Promise<{ notice?: string; error?: string }> {
  const sig = c.req.query('sig') ?? '';
  const out: { notice?: string; error?: string } = {};
  for (const kind of ['notice', 'error'] as const) {
    const text = c.req.query(kind);
    if (text !== undefined && (await timingSafeEqual(sig, await noticeSignature(c.env, kind, text)))) out[kind] = text;
  }
  return out;
}

/** Runs an operation and comes back to `to` with a notice or an error (post/redirect/get). */
async function operate(c: Context<AppEnv>, to: string, work: () => Promise<string>): Promise<Response> {
  try {
    return await redirectWith(c, to, 'notice', await work());
  } catch (error) {
    return redirectWith(c, to, 'error', asSqsError(error).message);
  }
}

admin.post('/sync', async (c) => {
  const result = await registryObject(c.env).sync();
  if (!result.ok) return redirectWith(c, '/admin', 'error', `Sync failed: ${result.error}`);
  const warnings = result.warnings.length ? ` Warnings: ${result.warnings.join('; ')}` : '';
  return redirectWith(c, '/admin', 'notice', `Synced: ${result.functions} functions, ${result.mappings} SQS mappings.${warnings}`);
});

const queueOrigin = (c: Context<AppEnv>) => new URL(c.req.url).origin;

admin.post('/queues/:name/purge', (c) => {
  const name = pathQueue(c);
  if (!name) return c.text('No such queue.', 404);
  return operate(c, `/admin/queues/${encodeURIComponent(name)}`, async () => {
    await actions.PurgeQueue({ env: c.env, origin: queueOrigin(c) }, { QueueUrl: queueUrl(queueOrigin(c), c.env.AWS_ACCOUNT_ID, name) });
    return 'Queue purged.';
  });
});

admin.post('/queues/:name/send', async (c) => {
  const name = pathQueue(c);
  if (!name) return c.text('No such queue.', 404);
  const form = await c.req.parseBody();
  return operate(c, `/admin/queues/${encodeURIComponent(name)}`, async () => {
    const input: Record<string, unknown> = {
      QueueUrl: queueUrl(queueOrigin(c), c.env.AWS_ACCOUNT_ID, name),
      MessageBody: String(form.body ?? ''),
    };
    if (name.endsWith('.fifo')) {
      input.MessageGroupId = String(form.group || 'dashboard');
      input.MessageDeduplicationId = crypto.randomUUID();
    } else if (form.delay) input.DelaySeconds = Number(form.delay);
    const result = await actions.SendMessage({ env: c.env, origin: queueOrigin(c) }, input);
    return `Sent message ${result?.MessageId}.`;
  });
});

admin.post('/queues/:name/redrive', (c) => {
  const name = pathQueue(c);
  if (!name) return c.text('No such queue.', 404);
  return operate(c, `/admin/queues/${encodeURIComponent(name)}`, async () => {
    await actions.StartMessageMoveTask({ env: c.env, origin: queueOrigin(c) }, { SourceArn: queueArn(c.env, name) });
    return 'Redrive started: messages move back to their source queues.';
  });
});

// JSON for scripts and the benchmarks.
admin.get('/api/queues', async (c) => c.json(await queueSummaries(c.env)));
admin.get('/api/queues/:name', async (c) => {
  const name = pathQueue(c);
  if (!name) return c.json({ error: 'No such queue.' }, 404);
  try {
    return c.json(await queueDetail(c.env, name));
  } catch (error) {
    return c.json({ error: asSqsError(error).message }, 404);
  }
});
admin.get('/api/registry', async (c) => c.json(await registryObject(c.env).registryState()));

webApp.route('/admin', admin);
