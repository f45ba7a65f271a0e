/** Function URLs answer warming pings: every request is recorded, AWS_IAM ones need a valid signature. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaEmulator } from '../../../dev/lambda-emulator';
import { aws, startTestEmulator, wrongSecret } from './support';

let emulator: LambdaEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

describe('function URLs', () => {
  it('serves a public URL and records the ping', async () => {
    const response = await fetch(`${emulator.url}/fn/site/`);
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('hi GET');
    expect(emulator.pings.at(-1)).toMatchObject({ functionName: 'site', method: 'GET', signatureValid: null });
  });

  it('needs a signature for an AWS_IAM URL', async () => {
    const unsigned = await fetch(`${emulator.url}/fn/admin/`);
    expect(unsigned.status).toBe(403);
    expect(emulator.pings.at(-1)).toMatchObject({ functionName: 'admin', signatureValid: false });
    expect((await wrongSecret.fetch(`${emulator.url}/fn/admin/`)).status).toBe(403);

    const signed = await aws.fetch(`${emulator.url}/fn/admin/`);
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ ok: true });
    expect(emulator.pings.at(-1)).toMatchObject({ functionName: 'admin', signatureValid: true });
    expect(emulator.requestsOfKind('url')).toBeGreaterThanOrEqual(4);
  });

  it('answers 404 for unknown paths and functions without a URL', async () => {
    expect((await fetch(`${emulator.url}/fn/echo/`)).status).toBe(404);
    expect((await fetch(`${emulator.url}/elsewhere`)).status).toBe(404);
  });
});
