/**
 * Event (asynchronous) invocations in the emulator, as Lambda answers them: 202 at once and the handler afterwards;
 * throttles, 500s and payloads over the asynchronous limit refused before acceptance (429, 500, 413); a function
 * error only after the 202 (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaEmulator } from '../../../dev/lambda-emulator';
import { aws, invoke as invokeOn, startTestEmulator } from './support';

let emulator: LambdaEmulator;
let release: () => void = () => {};
beforeAll(async () => {
  emulator = await startTestEmulator();
  emulator.functions.push(
    { name: 'slow', handler: () => new Promise<void>((resolve) => (release = resolve)) },
    { name: 'small', handler: () => null, asyncPayloadLimit: 262_144 },
  );
});
afterAll(() => emulator.close());
afterEach(() => emulator.setFault('echo', null));

const event = (name: string, payload: unknown) => invokeOn(emulator, aws, name, payload, { headers: { 'X-Amz-Invocation-Type': 'Event' } });

describe('Invoke with X-Amz-Invocation-Type: Event', () => {
  it('answers 202 while the handler still runs, and notes when it finished', async () => {
    const started = Date.now();
    const response = await event('slow', { job: 1 });
    expect(response.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(1000);
    const record = emulator.invocations.at(-1)!;
    expect(record).toMatchObject({ functionName: 'slow', invocationType: 'Event', outcome: 'ok' });
    expect(record.finishedAt).toBeUndefined();
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(record.finishedAt).toBeGreaterThanOrEqual(record.receivedAt);
  });

  it('a handler that throws after the hand-off still got its 202; the record says handler-error', async () => {
    const response = await event('boom', {});
    expect(response.status).toBe(202);
    await new Promise((r) => setTimeout(r, 20));
    expect(emulator.invocations.at(-1)).toMatchObject({ functionName: 'boom', invocationType: 'Event', outcome: 'handler-error' });
  });

  it('refuses a payload over the asynchronous limit with 413 RequestEntityTooLargeException, naming the limit', async () => {
    const body = { Records: [{ body: 'x'.repeat(300_000) }] };
    const response = await event('small', body);
    expect(response.status).toBe(413);
    expect(response.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(((await response.json()) as { message: string }).message).toMatch(/^\d+ byte payload is too large for the Event invocation type \(limit 262144 bytes\)$/);
    expect(emulator.invocations.at(-1)?.outcome).toBe('too-large');
    // The same payload fits the default 1 MB, and a synchronous call is not held to it.
    expect((await event('echo', body)).status).toBe(202);
    expect((await invokeOn(emulator, aws, 'small', body)).status).toBe(200);
  });

  it('throttle and fail-500 refuse before acceptance; an injected function error is accepted first', async () => {
    emulator.setFault('echo', 'throttle', 1);
    expect((await event('echo', {})).status).toBe(429);
    emulator.setFault('echo', 'fail-500', 1);
    expect((await event('echo', {})).status).toBe(500);
    emulator.setFault('echo', 'error', 1);
    const accepted = await event('echo', {});
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('x-amz-function-error')).toBeNull();
    expect(emulator.invocations.at(-1)).toMatchObject({ outcome: 'error', invocationType: 'Event' });
  });
});
