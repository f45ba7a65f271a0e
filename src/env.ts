import type { QueueDO } from './queue/queue-do';
import type { RegistryDO } from './registry/registry-do';
import type { InvokerDO } from './delivery/invoker-do';

/** Bindings and configuration; names are part of the product (README "Configuration"). */
export interface Env {
  QUEUE: DurableObjectNamespace<QueueDO>;
  REGISTRY: DurableObjectNamespace<RegistryDO>;
  INVOKER: DurableObjectNamespace<InvokerDO>;
  AWS_REGION: string;
  AWS_ACCOUNT_ID: string;
  /** Signs outbound Lambda API calls. */
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  /** Lambda API base URL; default https://lambda.<region>.amazonaws.com. */
  AWS_ENDPOINT_URL_LAMBDA?: string;
  /** API Gateway (v1 and v2) control-plane base URL; default https://apigateway.<region>.amazonaws.com. */
  AWS_ENDPOINT_URL_API_GATEWAY?: string;
  /** The credentials SQS clients sign with. */
  SQS_ACCESS_KEY_ID?: string;
  SQS_SECRET_ACCESS_KEY?: string;
  /** Basic auth password for /admin (user `admin`). */
  ADMIN_PASSWORD?: string;
  /** "true" makes the index page require the admin login. */
  INDEX_PRIVATE?: string;
}
