/**
 * The client families the behavioural suite runs under. Each family exposes the same generic `call(action, input)`
 * in the API's own shapes, so one suite drives the query/XML SDK, the JSON SDK and the AWS CLI alike.
 */
import { execFile } from 'node:child_process';
import * as Latest from '@aws-sdk/client-sqs';
import * as Legacy from 'client-sqs-legacy';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SqsClientFamily {
  name: string;
  /** Runs an SQS action; resolves to its output (binary values as base64), rejects with a ClientError. */
  call(action: string, input?: Record<string, unknown>): Promise<any>;
  /** A binary attribute value in the form this client takes. */
  binary(bytes: Uint8Array): unknown;
}

export class ClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${code}: ${message}`);
  }
}

type SdkModule = typeof Latest | typeof Legacy;

function sdkFamily(name: string, sdk: SdkModule, endpoint: string, credentials: Credentials): SqsClientFamily {
  const client = new sdk.SQSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
  return {
    name,
    async call(action, input = {}) {
      const Command = (sdk as unknown as Record<string, new (i: unknown) => unknown>)[`${action}Command`];
      if (!Command) throw new Error(`no ${action}Command in ${name}`);
      try {
        return normaliseBinary(await (client as { send(c: unknown): Promise<unknown> }).send(new Command(input)));
      } catch (error) {
        const e = error as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
        throw new ClientError(e.Code ?? e.name, e.message, e.$metadata?.httpStatusCode);
      }
    },
    binary: (bytes) => bytes,
  };
}

/** Debian's AWS CLI v2 (query protocol), fed the API's input shape through --cli-input-json. */
function cliFamily(endpoint: string, credentials: Credentials): SqsClientFamily {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
  return {
    name: 'aws-cli-v2',
    call(action, input = {}) {
      const command = action.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      const args = ['sqs', command, '--endpoint-url', endpoint, '--output', 'json', '--cli-input-json', JSON.stringify(input)];
      return new Promise((resolve, reject) => {
        execFile('/usr/bin/aws', args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
          if (error) {
            // "An error occurred (QueueDoesNotExist) when calling the GetQueueUrl operation: ..."
            const match = /An error occurred \(([^)]+)\)[^:]*: ?(.*)/s.exec(stderr);
            reject(match ? new ClientError(match[1], match[2].trim()) : new Error(`aws ${command} failed: ${stderr || error.message}`));
            return;
          }
          resolve(stdout.trim() ? JSON.parse(stdout) : {});
        });
      });
    },
    binary: (bytes) => Buffer.from(bytes).toString('base64'),
  };
}

function normaliseBinary(value: unknown): any {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(normaliseBinary);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '$metadata').map(([k, v]) => [k, normaliseBinary(v)]));
  }
  return value;
}

export function clientFamilies(endpoint: string, credentials: Credentials): SqsClientFamily[] {
  return [
    sdkFamily('sdk-3.362-query', Legacy, endpoint, credentials),
    sdkFamily('sdk-latest-json', Latest, endpoint, credentials),
    cliFamily(endpoint, credentials),
  ];
}
