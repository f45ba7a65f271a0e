/**
 * Malformed and hostile requests across both protocols: each must get a 4xx SQS error in the
 * caller's protocol — never a 5xx, never a hang — and the server must still serve afterwards.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createQueue, ORIGIN, signer, sqs, uniqueName } from '../support/sqs';

interface Case {
  name: string;
  request: () => Promise<Request>;
  status?: number;
  code: string | RegExp;
}

let queueUrl = '';
let queueName = '';

const form = (params: Record<string, string>, path = '/') =>
  signer.sign(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });

const rawForm = (body: string, path = '/') =>
  signer.sign(`${ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

const json = (action: string, body: string, extraHeaders: Record<string, string> = {}) =>
  signer.sign(`${ORIGIN}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, ...extraHeaders },
    body,
  });

const jsonInput = (action: string, input: unknown) => json(action, JSON.stringify(input));

function amzDate(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** A correctly signed ListQueues whose signature is dated `offsetMs` from now. */
async function listQueuesSignedAt(offsetMs: number): Promise<Request> {
  const { AwsV4Signer } = await import('aws4fetch');
  const body = 'Action=ListQueues';
  const signer = new AwsV4Signer({
    url: `${ORIGIN}/`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    accessKeyId: 'test-key',
    secretAccessKey: 'test-secret',
    service: 'sqs',
    region: 'us-east-1',
    datetime: amzDate(offsetMs),
  });
  const signed = await signer.sign();
  return new Request(signed.url, { method: 'POST', headers: signed.headers, body });
}

/** A ListQueues signed correctly, but with other keys or for another service than the Worker expects. */
async function listQueuesSignedBy(keys: { accessKeyId: string; secretAccessKey: string; service: string }): Promise<Request> {
  const { AwsClient } = await import('aws4fetch');
  const other = new AwsClient({ ...keys, region: 'us-east-1' });
  return other.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListQueues' });
}

/** A ListQueues presigned (signature in the query) to stay valid for `expiresSeconds`. */
async function presignedListQueues(expiresSeconds: number): Promise<Request> {
  const signed = await signer.sign(`${ORIGIN}/?Action=ListQueues&X-Amz-Expires=${expiresSeconds}`, { method: 'GET', aws: { signQuery: true } });
  return new Request(signed.url, { method: 'GET', headers: signed.headers });
}

const cases: Case[] = [
  // --- authentication ---------------------------------------------------------------------
  {
    name: 'unsigned query request',
    request: async () => new Request(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListQueues' }),
    status: 403,
    code: 'MissingAuthenticationToken',
  },
  {
    name: 'unsigned JSON request',
    request: async () =>
      new Request(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' }),
    status: 403,
    code: 'MissingAuthenticationToken',
  },
  {
    name: 'forged signature',
    request: async () => {
      const signed = await form({ Action: 'ListQueues' });
      const headers = new Headers(signed.headers);
      headers.set('authorization', headers.get('authorization')!.replace(/Signature=[0-9a-f]{64}/, `Signature=${'0'.repeat(64)}`));
      return new Request(signed.url, { method: 'POST', headers, body: await signed.text() });
    },
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'body tampered after signing',
    request: async () => {
      const signed = await form({ Action: 'ListQueues' });
      return new Request(signed.url, { method: 'POST', headers: signed.headers, body: 'Action=DeleteQueue&QueueUrl=x' });
    },
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'byte-order mark added to the body after signing',
    request: async () => {
      const signed = await form({ Action: 'ListQueues' });
      const body = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(await signed.text())]);
      return new Request(signed.url, { method: 'POST', headers: signed.headers, body });
    },
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'unknown access key',
    request: () => listQueuesSignedBy({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x', service: 'sqs' }),
    status: 403,
    code: 'InvalidClientTokenId',
  },
  {
    name: 'signature older than 15 minutes (replayed request)',
    request: () => listQueuesSignedAt(-16 * 60 * 1000),
    status: 400,
    code: 'RequestExpired',
  },
  {
    name: 'signature dated in the future',
    request: () => listQueuesSignedAt(20 * 60 * 1000),
    status: 400,
    code: 'RequestExpired',
  },
  {
    name: 'garbage Authorization header',
    request: async () =>
      new Request(`${ORIGIN}/`, {
        method: 'POST',
        headers: { authorization: 'AWS4-HMAC-SHA256 nonsense', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=ListQueues',
      }),
    status: 400,
    code: 'IncompleteSignature',
  },
  {
    name: 'credential scoped to another service',
    request: () => listQueuesSignedBy({ accessKeyId: 'test-key', secretAccessKey: 'test-secret', service: 's3' }),
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  { name: 'presigned URL valid for an hour (accepted)', request: () => presignedListQueues(3600), status: 200, code: '' },
  { name: 'presigned URL valid for 50 years', request: () => presignedListQueues(1_576_800_000), status: 400, code: 'IncompleteSignature' },
  {
    name: 'signed header name that is not a header name',
    request: async () => {
      const signed = await form({ Action: 'ListQueues' });
      const headers = new Headers(signed.headers);
      headers.set('authorization', headers.get('authorization')!.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=a(b;host'));
      return new Request(signed.url, { method: 'POST', headers, body: await signed.text() });
    },
    status: 400,
    code: 'IncompleteSignature',
  },
  // --- protocol ------------------------------------------------------------------------------
  { name: 'query parameter that reaches Object.prototype', request: () => rawForm('Action=ListQueues&__proto__.QueueUrl=x&__proto__.DelaySeconds=900'), status: 400, code: 'MalformedQueryString' },
  { name: 'query parameter through constructor.prototype', request: () => rawForm('Action=ListQueues&constructor.prototype.DelaySeconds=900'), status: 400, code: 'MalformedQueryString' },
  { name: 'unknown query action', request: () => form({ Action: 'LaunchMissiles' }), status: 400, code: 'InvalidAction' },
  { name: 'query request without Action', request: () => form({ QueueName: 'x' }), status: 400, code: 'InvalidAction' },
  { name: 'unknown JSON target', request: () => json('LaunchMissiles', '{}'), status: 400, code: 'InvalidAction' },
  { name: 'JSON target outside AmazonSQS', request: () => signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' }), status: 400, code: 'InvalidAction' },
  { name: 'prototype key as action', request: () => json('__proto__', '{}'), status: 400, code: 'InvalidAction' },
  { name: 'broken JSON', request: () => json('ListQueues', '{"QueueNamePrefix":'), status: 400, code: 'SerializationException' },
  { name: 'JSON array body', request: () => json('ListQueues', '[1,2]'), status: 400, code: 'SerializationException' },
  { name: 'JSON body with wrong content type', request: () => signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' }), status: 400, code: 'SerializationException' },
  { name: 'XML body posted as query', request: () => signer.sign(`${ORIGIN}/`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>' }), status: 400, code: 'InvalidAction' },
  { name: 'conflicting query parameters', request: () => rawForm('Action=CreateQueue&QueueName=x&Attribute=1&Attribute.1.Name=DelaySeconds'), status: 400, code: 'MalformedQueryString' },
  { name: 'wrong JSON types', request: () => jsonInput('SendMessage', { QueueUrl: 42, MessageBody: ['x'] }), status: 400, code: /MissingParameter|InvalidParameterValue|NonExistentQueue/ },
  // --- names and attributes -------------------------------------------------------------------
  { name: 'queue name with a slash (path trick)', request: () => jsonInput('CreateQueue', { QueueName: '../../etc' }), status: 400, code: 'InvalidParameterValue' },
  { name: 'queue name too long', request: () => jsonInput('CreateQueue', { QueueName: 'q'.repeat(81) }), status: 400, code: 'InvalidParameterValue' },
  { name: 'queue name with HTML', request: () => jsonInput('CreateQueue', { QueueName: '<script>alert(1)</script>' }), status: 400, code: 'InvalidParameterValue' },
  { name: 'unknown queue attribute', request: () => jsonInput('CreateQueue', { QueueName: uniqueName(), Attributes: { Evil: '1' } }), status: 400, code: 'InvalidAttributeName' },
  { name: 'out of range attribute', request: () => jsonInput('CreateQueue', { QueueName: uniqueName(), Attributes: { VisibilityTimeout: '-1' } }), status: 400, code: 'InvalidAttributeValue' },
  { name: 'queue URL with path traversal', request: () => jsonInput('SendMessage', { QueueUrl: 'http://x/000000000000/../../registry', MessageBody: 'x' }), status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue' },
  { name: 'queue URL that is not a URL', request: () => jsonInput('ReceiveMessage', { QueueUrl: 'javascript:alert(1)' }), status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue' },
  { name: 'query POST to an unknown queue path', request: () => form({ Action: 'SendMessage', MessageBody: 'x' }, '/000000000000/does-not-exist'), status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue' },
  // --- messages ---------------------------------------------------------------------------------
  { name: 'NUL in body', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'a\u0000b' }), status: 400, code: 'InvalidMessageContents' },
  { name: 'unpaired surrogate in body', request: () => json('SendMessage', `{"QueueUrl":"${queueUrl}","MessageBody":"a\\ud800b"}`), status: 400, code: 'InvalidMessageContents' },
  { name: 'body over 1 MiB', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x'.repeat(1_048_577) }), status: 400, code: 'InvalidParameterValue' },
  { name: 'request body over 4 MiB', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x'.repeat(5 * 1024 * 1024) }), status: 413, code: 'RequestEntityTooLarge' },
  { name: 'delay above 900 s', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 901 }), status: 400, code: 'InvalidParameterValue' },
  { name: 'reserved attribute prefix', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } }), status: 400, code: 'InvalidParameterValue' },
  { name: '11 message attributes', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }])) }), status: 400, code: 'InvalidParameterValue' },
  { name: 'binary attribute that is not base64', request: () => jsonInput('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: '%%%' } } }), status: 400, code: 'InvalidParameterValue' },
  { name: 'receive more than 10', request: () => jsonInput('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 11 }), status: 400, code: 'InvalidParameterValue' },
  { name: 'long poll above 20 s', request: () => jsonInput('ReceiveMessage', { QueueUrl: queueUrl, WaitTimeSeconds: 21 }), status: 400, code: 'InvalidParameterValue' },
  { name: 'forged receipt handle', request: () => jsonInput('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: 'AQEB' + btoa(`${queueName}|1|1|x`) }), status: 200, code: '' },
  { name: 'receipt handle for another queue', request: () => jsonInput('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: 'AQEB' + btoa('other|1|1|x') }), status: 404, code: 'ReceiptHandleIsInvalid' },
  { name: 'receipt handle that is not base64', request: () => jsonInput('ChangeMessageVisibility', { QueueUrl: queueUrl, ReceiptHandle: 'AQEB@@@', VisibilityTimeout: 1 }), status: 404, code: 'ReceiptHandleIsInvalid' },
  // --- batches ----------------------------------------------------------------------------------
  { name: 'empty batch', request: () => jsonInput('SendMessageBatch', { QueueUrl: queueUrl, Entries: [] }), status: 400, code: 'AWS.SimpleQueueService.EmptyBatchRequest' },
  { name: '11-entry batch', request: () => jsonInput('DeleteMessageBatch', { QueueUrl: queueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: 'x' })) }), status: 400, code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' },
  { name: 'duplicate batch ids', request: () => jsonInput('SendMessageBatch', { QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] }), status: 400, code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' },
  { name: 'batch id with markup', request: () => jsonInput('SendMessageBatch', { QueueUrl: queueUrl, Entries: [{ Id: '<b>', MessageBody: 'x' }] }), status: 400, code: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
  { name: 'batch over 1 MiB in total', request: () => jsonInput('SendMessageBatch', { QueueUrl: queueUrl, Entries: Array.from({ length: 3 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x'.repeat(400_000) })) }), status: 400, code: 'AWS.SimpleQueueService.BatchRequestTooLong' },
  { name: 'batch entries not a list', request: () => jsonInput('SendMessageBatch', { QueueUrl: queueUrl, Entries: { Id: 'a' } }), status: 400, code: 'InvalidParameterValue' },
];

function errorCode(response: Response, text: string): string {
  if (response.headers.get('content-type')?.startsWith('application/x-amz-json')) {
    return response.headers.get('x-amzn-query-error')?.split(';')[0] ?? '';
  }
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
}

describe('hostile input', () => {
  beforeAll(async () => {
    ({ url: queueUrl, name: queueName } = await createQueue(uniqueName('hostile')));
  });

  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const response = await Promise.race([
      SELF.fetch(await c.request()),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('hang')), 10_000)),
    ]);
    const text = await response.text();
    expect(response.status, text).toBeLessThan(500);
    if (c.status !== undefined) expect(response.status, text).toBe(c.status);
    if (c.status !== 200) {
      expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
      if (c.code instanceof RegExp) expect(errorCode(response, text)).toMatch(c.code);
      else expect(errorCode(response, text)).toBe(c.code);
    }
  });

  it('is still healthy afterwards', async () => {
    // Nothing reached the prototype every object shares.
    expect(({} as Record<string, unknown>).DelaySeconds).toBeUndefined();
    expect(({} as Record<string, unknown>).QueueUrl).toBeUndefined();
    await sqs('SendMessage', { QueueUrl: queueUrl, MessageBody: 'still fine' });
    const { Messages } = await sqs('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 10 });
    expect(Messages.map((m: { Body: string }) => m.Body)).toContain('still fine');
  });
});
