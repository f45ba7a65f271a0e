/** wrangler dev wired to an in-process Lambda emulator: the whole delivery path, with real clients. */
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type EmulatedFunction, type EmulatedHttpApi, type EmulatedMapping, type EmulatedRestApi, type LambdaEmulator, startLambdaEmulator } from '../../../dev/lambda-emulator';
import { ADMIN_PASSWORD, LAMBDA_CREDENTIALS, SQS_CREDENTIALS, startWranglerDev, type WranglerDev, type WranglerOptions } from '../../../bench/support/wrangler';

export const ACCOUNT = '000000000000';
export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

/** An event source mapping the emulator lists, Disabled as the Lambda side is once sqsflare owns delivery. */
export const mapping = (queue: string, functionName: string, extra: Partial<EmulatedMapping> = {}): EmulatedMapping => ({
  EventSourceArn: queueArn(queue),
  FunctionName: functionName,
  State: 'Disabled',
  ...extra,
});

export interface Stack {
  emulator: LambdaEmulator;
  dev: WranglerDev;
  sqs: SQSClient;
  /** fires the cron (sync + warm) the way Cloudflare would */
  cron(): Promise<void>;
  admin<T = any>(path: string): Promise<T>;
  /** CreateQueue through the SQS client */
  createQueue(name: string, attributes?: Record<string, string>): Promise<unknown>;
  restart(options?: { kill9?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(
  functions: EmulatedFunction[],
  mappings: EmulatedMapping[] = [],
  options: WranglerOptions = {},
  apis: { httpApis?: EmulatedHttpApi[]; restApis?: EmulatedRestApi[] } = {},
): Promise<Stack> {
  const emulator = await startLambdaEmulator({ credentials: LAMBDA_CREDENTIALS, functions, mappings, region: 'us-east-1', accountId: ACCOUNT, ...apis });
  const wranglerOptions = { ...options, lambdaUrl: emulator.url, testScheduled: true };
  let dev = await startWranglerDev(wranglerOptions);
  const stack: Stack = {
    emulator,
    get dev() {
      return dev;
    },
    sqs: new SQSClient({ region: 'us-east-1', endpoint: dev.url, credentials: SQS_CREDENTIALS, maxAttempts: 1 }),
    async cron() {
      const response = await fetch(`${dev.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
      if (!response.ok) throw new Error(`cron: ${response.status}`);
    },
    async admin(path) {
      const response = await fetch(`${dev.url}${path}`, { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_PASSWORD}`)}` } });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    createQueue: (QueueName, Attributes = {}) => stack.sqs.send(new CreateQueueCommand({ QueueName, Attributes })),
    /** Stops (or kill -9s) the runtime and starts it again on the same state and port. */
    async restart({ kill9 = false } = {}) {
      if (kill9) dev.kill9();
      else await dev.stop();
      await new Promise((r) => setTimeout(r, 500));
      dev = await startWranglerDev({ ...wranglerOptions, port: dev.port, persistDir: dev.persistDir });
    },
    async stop() {
      await dev.stop();
      await emulator.close();
    },
  };
  return stack;
}
