/**
 * Issue 11, points 1, 4, 5 and 7: requests as an attacker (or a careless client) would send them. Each case checks the
 * SQS error and that the queue is as it was: still there, and holding only the message put there before.
 */
import { SELF } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { createQueue, ORIGIN, signer, sqs, uniqueName } from '../support/sqs';

let queue: { name: string; url: string };

beforeEach(async () => {
  queue = await createQueue(uniqueName('integrity'));
  await sqs('SendMessage', { QueueUrl: queue.url, MessageBody: 'before' });
});

/** The queue exists and holds exactly the one message sent before the attack, never received. */
async function expectUnchanged(): Promise<void> {
  const { Attributes } = await sqs('GetQueueAttributes', { QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
  expect(Attributes).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });
}

async function answer(request: Request): Promise<{ status: number; code: string }> {
  const response = await SELF.fetch(request);
  const text = await response.text();
  const code = response.headers.get('x-amzn-query-error')?.split(';')[0] ?? /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
  return { status: response.status, code };
}

/** A presigned GET for `query` (signed over host only, as SDK presigners do), sent with extra unsigned headers. */
async function presigned(query: string, headers: Record<string, string> = {}, signedHeaders: Record<string, string> = {}): Promise<Request> {
  const signed = await signer.sign(`${ORIGIN}/?${query}`, { method: 'GET', headers: signedHeaders, aws: { signQuery: true } });
  return new Request(signed.url, { method: 'GET', headers: { ...Object.fromEntries(signed.headers), ...headers } });
}

const rawForm = (body: string | Uint8Array) =>
  signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

describe('1. what decides the action is signed', () => {
  it.each(['DeleteQueue', 'PurgeQueue', 'ReceiveMessage'])('a presigned GetQueueAttributes URL with an unsigned x-amz-target %s is refused', async (action) => {
    const request = await presigned(`Action=GetQueueAttributes&QueueUrl=${encodeURIComponent(queue.url)}`, {
      'x-amz-target': `AmazonSQS.${action}`,
      'content-type': 'application/x-amz-json-1.0',
    });
    expect(await answer(request)).toEqual({ status: 403, code: 'AccessDenied' });
    await expectUnchanged();
  });

  it('a presigned URL that signed an x-amz-target is still the query protocol only', async () => {
    const request = await presigned(`Action=GetQueueAttributes&QueueUrl=${encodeURIComponent(queue.url)}`, {}, { 'x-amz-target': 'AmazonSQS.DeleteQueue' });
    expect(await answer(request)).toEqual({ status: 403, code: 'AccessDenied' });
    await expectUnchanged();
  });

  it('a header-signed request whose x-amz-target was not signed is refused', async () => {
    // A client that signed only host, date and body: the target header can be swapped in transit.
    const signed = await signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ QueueUrl: queue.url }) });
    const headers = new Headers(signed.headers);
    headers.set('x-amz-target', 'AmazonSQS.DeleteQueue');
    expect(await answer(new Request(signed.url, { method: 'POST', headers, body: JSON.stringify({ QueueUrl: queue.url }) }))).toEqual({ status: 403, code: 'AccessDenied' });
    await expectUnchanged();
  });

  it('an unsigned content type on a presigned URL is refused', async () => {
    const request = await presigned(`Action=GetQueueAttributes&QueueUrl=${encodeURIComponent(queue.url)}`, { 'content-type': 'application/x-amz-json-1.0' });
    expect(await answer(request)).toEqual({ status: 403, code: 'AccessDenied' });
    await expectUnchanged();
  });

  it('an unsigned content type cannot turn a signed query request into another protocol', async () => {
    // aws4fetch never signs the content type; swapping it changes nothing but the answer to a refusal.
    const body = `Action=GetQueueAttributes&QueueUrl=${encodeURIComponent(queue.url)}`;
    const signed = await signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const headers = new Headers(signed.headers);
    headers.set('content-type', 'application/x-amz-json-1.0');
    expect(await answer(new Request(signed.url, { method: 'POST', headers, body }))).toEqual({ status: 400, code: 'InvalidAction' });
    await expectUnchanged();
  });

  it('a presigned URL still does what it was signed for', async () => {
    const request = await presigned(`Action=GetQueueAttributes&AttributeName.1=All&QueueUrl=${encodeURIComponent(queue.url)}`);
    expect((await SELF.fetch(request)).status).toBe(200);
  });
});

describe('4. queue URLs of another account are refused', () => {
  const other = '999999999999';
  it.each([
    ['the Worker-host form', () => `${ORIGIN}/${other}/${queue.name}`],
    ['the AWS form', () => `https://sqs.us-east-1.amazonaws.com/${other}/${queue.name}`],
  ])('a QueueUrl in %s', async (_, url) => {
    const json = await signer.sign(`${ORIGIN}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl: url(), MessageBody: 'into another account' }),
    });
    expect(await answer(json)).toEqual({ status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue' });
    const query = await rawForm(`Action=PurgeQueue&QueueUrl=${encodeURIComponent(url())}`);
    expect(await answer(query)).toEqual({ status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue' });
    await expectUnchanged();
  });

  it('a query request posted to the queue path of another account', async () => {
    const request = await signer.sign(`${ORIGIN}/${other}/${queue.name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=SendMessage&MessageBody=into%20another%20account',
    });
    expect(await answer(request)).toEqual({ status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue' });
    await expectUnchanged();
  });
});

describe('5. malformed query bodies are errors', () => {
  const send = (body: string) => `Action=SendMessage&QueueUrl=${encodeURIComponent(queue.url)}&MessageBody=${body}`;
  it.each([
    ['a stray percent sign', () => send('100%')],
    ['a percent sign before non-hex digits', () => send('%zzabc')],
    ['percent-encoded bytes that are not UTF-8', () => send('%C3%28')],
    ['a percent-encoded lone surrogate', () => send('%ED%A0%80')],
  ])('%s', async (_, body) => {
    expect(await answer(await rawForm(body()))).toEqual({ status: 400, code: 'MalformedQueryString' });
    await expectUnchanged();
  });

  it('raw bytes that are not UTF-8 in a form body', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode(send('')), 0xff, 0xfe]);
    expect(await answer(await rawForm(bytes))).toEqual({ status: 400, code: 'MalformedQueryString' });
    await expectUnchanged();
  });

  it('raw bytes that are not UTF-8 in a JSON body', async () => {
    const text = JSON.stringify({ QueueUrl: queue.url, MessageBody: 'X' });
    const bytes = new TextEncoder().encode(text);
    bytes[bytes.length - 3] = 0xff; // the X
    const request = await signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' }, body: bytes });
    expect(await answer(request)).toEqual({ status: 400, code: 'SerializationException' });
    await expectUnchanged();
  });
});

describe('7. error answers follow the service model', () => {
  it('SendMessageBatch with an empty entry list in the query form is EmptyBatchRequest', async () => {
    const request = await rawForm(`Action=SendMessageBatch&QueueUrl=${encodeURIComponent(queue.url)}&SendMessageBatchRequestEntry=`);
    expect(await answer(request)).toEqual({ status: 400, code: 'AWS.SimpleQueueService.EmptyBatchRequest' });
    await expectUnchanged();
  });

  it('an expired signature is RequestExpired with HTTP 400, as the SQS Common Errors list it', async () => {
    const { AwsV4Signer } = await import('aws4fetch');
    const datetime = new Date(Date.now() - 16 * 60_000).toISOString().replace(/[:-]|\.\d{3}/g, '');
    const body = `Action=PurgeQueue&QueueUrl=${encodeURIComponent(queue.url)}`;
    const signed = await new AwsV4Signer({ url: `${ORIGIN}/`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, accessKeyId: 'test-key', secretAccessKey: 'test-secret', service: 'sqs', region: 'us-east-1', datetime }).sign();
    expect(await answer(new Request(signed.url, { method: 'POST', headers: signed.headers, body }))).toEqual({ status: 400, code: 'RequestExpired' });
    await expectUnchanged();
  });
});
