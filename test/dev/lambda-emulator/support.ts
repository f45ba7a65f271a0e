/** One emulator set-up for the emulator's own tests: five functions (two with URLs), five mappings, pages of two. */
import { AwsClient } from 'aws4fetch';
import { type EmulatedFunction, type LambdaEmulator, startLambdaEmulator } from '../../../dev/lambda-emulator';

export const credentials = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
export const aws = new AwsClient({ ...credentials, service: 'lambda', region: 'us-east-1', retries: 0 });
export const wrongSecret = new AwsClient({ accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret', service: 'lambda', region: 'us-east-1', retries: 0 });

const fn = (name: string, extra: Partial<EmulatedFunction> = {}): EmulatedFunction => ({ name, handler: () => null, ...extra });

export function startTestEmulator(): Promise<LambdaEmulator> {
  return startLambdaEmulator({
    credentials,
    accountId: '123456789012',
    pageSize: 2,
    functions: [
      fn('echo', { handler: (event) => ({ got: event }) }),
      fn('boom', {
        handler: () => {
          throw new Error('kaput');
        },
      }),
      fn('site', { url: { authType: 'NONE' }, handler: (event) => ({ statusCode: 201, body: `hi ${event.requestContext.http.method}` }) }),
      fn('admin', { url: { authType: 'AWS_IAM' }, handler: () => ({ ok: true }) }),
      fn('fifth'),
    ],
    mappings: [1, 2, 3, 4, 5].map((i) => ({ EventSourceArn: `arn:aws:sqs:us-east-1:123456789012:q${i}`, FunctionName: 'echo', BatchSize: i })),
  });
}

export const invocationsUrl = (emulator: LambdaEmulator, name: string) => `${emulator.url}/2015-03-31/functions/${name}/invocations`;

export const invoke = (emulator: LambdaEmulator, client: AwsClient, name: string, event: unknown, init: RequestInit = {}) =>
  client.fetch(invocationsUrl(emulator, name), { method: 'POST', body: JSON.stringify(event), ...init });
