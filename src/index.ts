/** sqsflare: the SQS API on Cloudflare Workers, delivering to AWS Lambda from Durable Object alarms. Wiring only. */
import { Hono } from 'hono';
import type { Env } from './env';
import { runScheduled } from './registry/scheduled';
import { sqsApp } from './protocol/endpoint';
import { webApp } from './web/web-app';

export { QueueDO } from './queue/queue-do';
export { RegistryDO } from './registry/registry-do';
export { InvokerDO } from './delivery/invoker-do';

const app = new Hono<{ Bindings: Env }>();
// The SQS app claims GET /?Action=… and passes any other GET / on to the index page, so it is mounted first.
app.route('/', sqsApp);
app.route('/', webApp);

export default {
  fetch: app.fetch,
  /** The cron: sync mappings from the Lambda API, then warm function URLs (src/registry/scheduled.ts). */
  async scheduled(_controller, env) {
    await runScheduled(env);
  },
} satisfies ExportedHandler<Env>;
