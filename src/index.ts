/** sqsflare: the SQS API on Cloudflare Workers, delivering to AWS Lambda from Durable Object alarms. */
import { Hono } from 'hono';
import type { Env } from './env';
import { sqsApp } from './sqs-app';

export { QueueDO } from './queue/queue-do';
export { RegistryDO } from './registry/registry-do';
export { InvokerDO } from './delivery/invoker-do';

const app = new Hono<{ Bindings: Env }>();
app.route('/', sqsApp);

export default {
  fetch: app.fetch,
  async scheduled(_controller, _env, _ctx) {
    // Registry sync and URL warming: see src/registry.
  },
} satisfies ExportedHandler<Env>;
