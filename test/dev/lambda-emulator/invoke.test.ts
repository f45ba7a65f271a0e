/** Invoke runs the handler and answers as Lambda does, including the injected faults and the invocation types. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaEmulator } from '../../../dev/lambda-emulator';
import { aws, invoke as invokeOn, startTestEmulator } from './support';

let emulator: LambdaEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());
afterEach(() => emulator.setFault('echo', null));

const invoke = (name: string, event: unknown, init: RequestInit = {}) => invokeOn(emulator, aws, name, event, init);

describe('Invoke', () => {
  it('runs the handler for a correctly signed request and returns its result', async () => {
    const before = emulator.invocations.length;
    const response = await invoke('echo', { Records: [{ body: 'hello' }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ got: { Records: [{ body: 'hello' }] } });
    const [record] = emulator.invocations.slice(before);
    expect(record).toMatchObject({ functionName: 'echo', signatureValid: true, outcome: 'ok', event: { Records: [{ body: 'hello' }] } });
  });

  it('accepts a function ARN as the name', async () => {
    const response = await invoke(encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:echo'), { a: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ got: { a: 1 } });
  });

  it('answers 404 for an unknown function', async () => {
    const response = await invoke('nope', {});
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  });

  it('flags a handler that throws with X-Amz-Function-Error', async () => {
    const response = await invoke('boom', {});
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await response.json()).toMatchObject({ errorType: 'Error', errorMessage: 'kaput' });
    expect(emulator.invocations.at(-1)?.outcome).toBe('handler-error');
  });

  it('answers an Event invocation with 202 before the handler runs, and a DryRun with 204 without running it', async () => {
    const before = emulator.invocations.length;
    const event = await invoke('echo', { async: true }, { headers: { 'X-Amz-Invocation-Type': 'Event' } });
    expect(event.status).toBe(202);
    expect(await event.text()).toBe('');
    const records = await emulator.waitForInvocations(before + 1, 2000);
    expect(records[before]).toMatchObject({ functionName: 'echo', outcome: 'ok', event: { async: true } });

    const dryRun = await invoke('echo', {}, { headers: { 'X-Amz-Invocation-Type': 'DryRun' } });
    expect(dryRun.status).toBe(204);
  });

  it('injects faults for the given number of invocations', async () => {
    emulator.setFault('echo', 'throttle', 1);
    const throttled = await invoke('echo', {});
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await throttled.json()).toEqual({ Type: 'User', message: 'Rate Exceeded.' });
    expect((await invoke('echo', {})).status).toBe(200);

    emulator.setFault('echo', 'error', 1);
    expect((await invoke('echo', {})).headers.get('x-amz-function-error')).toBe('Unhandled');

    emulator.setFault('echo', 'fail-500');
    expect((await invoke('echo', {})).status).toBe(500);
    expect((await invoke('echo', {})).status).toBe(500);

    emulator.setFault('echo', 'drop', 1);
    await expect(invoke('echo', {})).rejects.toThrow();
  });

  it('hang never answers, so the client timeout cuts it', async () => {
    emulator.setFault('echo', 'hang', 1);
    const started = Date.now();
    await expect(invoke('echo', {}, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(emulator.invocations.at(-1)?.outcome).toBe('hang');
  });

  it('waitForInvocations resolves once enough invocations arrived', async () => {
    const target = emulator.invocations.length + 2;
    const waiting = emulator.waitForInvocations(target, 2000);
    await invoke('echo', {});
    await invoke('echo', {});
    expect((await waiting).length).toBeGreaterThanOrEqual(target);
    await expect(emulator.waitForInvocations(target + 100, 50)).rejects.toThrow(/expected/);
  });
});
