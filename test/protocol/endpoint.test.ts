/** The SQS endpoint's routes, next to the pages mounted on the same Worker: which app answers which request. */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { callQuery, createQueue, ORIGIN, signer, uniqueName } from '../support/sqs';

const sqsRequestId = (response: Response) => response.headers.get('x-amzn-requestid');

describe('SQS endpoint routes', () => {
  let name = '';
  beforeAll(async () => {
    ({ name } = await createQueue(uniqueName('routes')));
  });

  it('serves a presigned GET /?Action=… as an SQS call', async () => {
    const signed = await signer.sign(`${ORIGIN}/?Action=ListQueues&QueueNamePrefix=${name}`, { method: 'GET', aws: { signQuery: true } });
    const response = await SELF.fetch(new Request(signed.url, { headers: signed.headers }));
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain('<ListQueuesResponse');
    expect(text).toContain(`/123456789012/${name}</QueueUrl>`);
  });

  it('leaves GET / without an Action to the index page', async () => {
    const response = await SELF.fetch(`${ORIGIN}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(sqsRequestId(response)).toBeNull();
  });

  it.each([`/123456789012/NAME`, `/queue/NAME`])('takes query POSTs to the queue URL %s', async (path) => {
    const response = await callQuery({ Action: 'GetQueueAttributes', 'AttributeName.1': 'QueueArn' }, path.replace('NAME', name));
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain(`arn:aws:sqs:us-east-1:123456789012:${name}`);
  });

  it.each(['/admin/sync', '/12345678901/NAME', '/1234567890123/NAME', '/account/NAME'])('does not claim POST %s', async (path) => {
    const response = await callQuery({ Action: 'ListQueues' }, path.replace('NAME', name));
    expect(response.status).not.toBe(200);
    expect(sqsRequestId(response)).toBeNull();
  });
});
