/** Every Lambda API call must carry a SigV4 signature the emulator computes the same way, as AWS would refuse it. */
import { AwsClient } from 'aws4fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaEmulator } from '../../../dev/lambda-emulator';
import { aws, credentials, invocationsUrl, invoke, startTestEmulator, wrongSecret } from './support';

let emulator: LambdaEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

const messageOf = async (response: Response) => ((await response.json()) as { message: string }).message;

describe('SigV4 verification', () => {
  it('refuses a tampered body with 403 and records the invalid signature', async () => {
    const signed = await aws.sign(invocationsUrl(emulator, 'echo'), { method: 'POST', body: JSON.stringify({ amount: 1 }) });
    const before = emulator.invocations.length;
    const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: JSON.stringify({ amount: 1000 }) });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(await messageOf(response)).toMatch(/signature we calculated does not match/);
    expect(emulator.invocations.slice(before)).toMatchObject([{ functionName: 'echo', signatureValid: false, outcome: 'rejected' }]);
  });

  it('refuses a wrong secret and an unsigned request', async () => {
    expect((await invoke(emulator, wrongSecret, 'echo', {})).status).toBe(403);
    const unsigned = await fetch(invocationsUrl(emulator, 'echo'), { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(emulator.invocations.at(-1)?.signatureValid).toBe(false);
  });

  it('refuses a signature scoped to another region', async () => {
    const elsewhere = new AwsClient({ ...credentials, service: 'lambda', region: 'eu-west-1', retries: 0 });
    const response = await invoke(emulator, elsewhere, 'echo', {});
    expect(response.status).toBe(403);
    expect(await messageOf(response)).toMatch(/scoped to a valid region/);
  });

  it('refuses a signature more than 15 minutes old', async () => {
    const signed = await aws.sign(invocationsUrl(emulator, 'echo'), { method: 'POST', body: '{}', aws: { datetime: '20200101T000000Z' } });
    const response = await fetch(signed);
    expect(response.status).toBe(403);
    expect(await messageOf(response)).toBe('Signature expired');
  });

  it('refuses unsigned list calls', async () => {
    const response = await fetch(`${emulator.url}/2015-03-31/functions/`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect((await wrongSecret.fetch(`${emulator.url}/2015-03-31/event-source-mappings/`)).status).toBe(403);
  });
});
