/** Signed SQS calls against the Worker under test (SELF), in either protocol. */
import { AwsClient } from 'aws4fetch';
import { env, SELF } from 'cloudflare:test';

export const ORIGIN = 'http://sqsflare.test';

export const signer = new AwsClient({
  accessKeyId: env.SQS_ACCESS_KEY_ID!,
  secretAccessKey: env.SQS_SECRET_ACCESS_KEY!,
  service: 'sqs',
  region: 'us-east-1',
  retries: 0,
});

export async function signedRequest(url: string, init: RequestInit): Promise<Request> {
  return signer.sign(url, init);
}

export async function callJson(action: string, input: Record<string, unknown> = {}): Promise<Response> {
  const request = await signer.sign(`${ORIGIN}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  return SELF.fetch(request);
}

export async function callQuery(params: Record<string, string>, path = '/'): Promise<Response> {
  const request = await signer.sign(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return SELF.fetch(request);
}

/** JSON call that must succeed; returns the parsed result. */
export async function sqs<T = any>(action: string, input: Record<string, unknown> = {}): Promise<T> {
  const response = await callJson(action, input);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${action} failed: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** JSON call that must fail; returns status, __type and query error code. */
export async function sqsError(action: string, input: Record<string, unknown> = {}) {
  const response = await callJson(action, input);
  const body = (await response.json()) as { __type: string; message: string };
  return {
    status: response.status,
    type: body.__type?.split('#')[1],
    message: body.message,
    queryError: response.headers.get('x-amzn-query-error')?.split(';')[0],
  };
}

let counter = 0;
export function uniqueName(prefix = 'q'): string {
  return `${prefix}-${Date.now().toString(36)}-${counter++}`;
}

export async function createQueue(name = uniqueName(), attributes: Record<string, string> = {}): Promise<{ name: string; url: string }> {
  const { QueueUrl } = await sqs<{ QueueUrl: string }>('CreateQueue', { QueueName: name, Attributes: attributes });
  return { name, url: QueueUrl };
}
