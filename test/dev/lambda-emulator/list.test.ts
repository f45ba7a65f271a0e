/** The list calls page like Lambda's (Marker / NextMarker) and fill in the fields Lambda does. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaEmulator } from '../../../dev/lambda-emulator';
import { aws, startTestEmulator } from './support';

let emulator: LambdaEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());
afterEach(() => emulator.setApiFailure(null));

async function listAll(path: string, key: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const url = new URL(`${emulator.url}${path}`);
    if (marker) url.searchParams.set('Marker', marker);
    const response = await aws.fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    items.push(...body[key]);
    marker = body.NextMarker;
    pages++;
  } while (marker);
  return { items, pages };
}

describe('list calls', () => {
  it('pages ListFunctions', async () => {
    const before = emulator.requestsOfKind('list-functions');
    const { items, pages } = await listAll('/2015-03-31/functions/', 'Functions');
    expect(pages).toBe(3);
    expect(items.map((f) => f.FunctionName)).toEqual(['echo', 'boom', 'site', 'admin', 'fifth']);
    expect(items[0]).toMatchObject({ FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo', Runtime: 'nodejs20.x' });
    expect(emulator.requestsOfKind('list-functions') - before).toBe(3);
  });

  it('pages ListEventSourceMappings with defaults filled in', async () => {
    const { items, pages } = await listAll('/2015-03-31/event-source-mappings/', 'EventSourceMappings');
    expect(pages).toBe(3);
    expect(items.map((m) => m.BatchSize)).toEqual([1, 2, 3, 4, 5]);
    expect(items[0]).toMatchObject({
      EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:q1',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: [],
      State: 'Enabled',
    });
    expect(typeof items[0].LastModified).toBe('number');
    // UUIDs stay the same between calls.
    const again = await listAll('/2015-03-31/event-source-mappings/', 'EventSourceMappings');
    expect(again.items.map((m) => m.UUID)).toEqual(items.map((m) => m.UUID));
  });

  it('lists function URL configs', async () => {
    const site = await (await aws.fetch(`${emulator.url}/2021-10-31/functions/site/urls`)).json();
    expect(site).toEqual({
      FunctionUrlConfigs: [expect.objectContaining({ FunctionUrl: `${emulator.url}/fn/site/`, AuthType: 'NONE', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:site' })],
    });
    expect(await (await aws.fetch(`${emulator.url}/2021-10-31/functions/echo/urls`)).json()).toEqual({ FunctionUrlConfigs: [] });
    expect((await aws.fetch(`${emulator.url}/2021-10-31/functions/nope/urls`)).status).toBe(404);
  });

  it('answers the injected status while setApiFailure is set', async () => {
    emulator.setApiFailure(500);
    expect((await aws.fetch(`${emulator.url}/2015-03-31/functions/`)).status).toBe(500);
    expect((await aws.fetch(`${emulator.url}/2015-03-31/event-source-mappings/`)).status).toBe(500);
    expect((await aws.fetch(`${emulator.url}/2021-10-31/functions/site/urls`)).status).toBe(500);
    emulator.setApiFailure(null);
    expect((await aws.fetch(`${emulator.url}/2015-03-31/functions/`)).status).toBe(200);
  });
});
