import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SqsError } from '../../src/shared/errors';
import { queueObject } from '../../src/shared/rpc';
import { uniqueName } from '../support/sqs';

describe('SqsErrors across Durable Object RPC', () => {
  it('come back as values from the object, so the runtime does not log them as uncaught', async () => {
    const name = uniqueName('rpc');
    await queueObject(env, name).create(name, { VisibilityTimeout: '30' }, {}, Date.now());
    const bare = (await env.QUEUE.getByName(name).create(name, { VisibilityTimeout: '5' }, {}, Date.now())) as unknown;
    expect(bare).toEqual({ sqsflareError: expect.objectContaining({ queryCode: 'QueueAlreadyExists', status: 400, fault: 'Sender' }) });
  });

  it('are thrown again, with code, status and message, by the wrapped stub', async () => {
    const name = uniqueName('rpc');
    await queueObject(env, name).create(name, { VisibilityTimeout: '30' }, {}, Date.now());
    const error = await queueObject(env, name)
      .create(name, { VisibilityTimeout: '5' }, {}, Date.now())
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SqsError);
    expect(error).toMatchObject({ queryCode: 'QueueAlreadyExists', status: 400, fault: 'Sender' });
    expect((error as SqsError).message).toMatch(/VisibilityTimeout/);
  });

  it('leave results alone and keep the wrapped stub out of promise resolution', async () => {
    const name = uniqueName('rpc');
    const stub = queueObject(env, name);
    expect((stub as unknown as { then?: unknown }).then).toBeUndefined();
    const resolved = await Promise.resolve(stub);
    expect(await resolved.create(name, {}, {}, Date.now())).toMatchObject({ created: true });
    expect(await resolved.exists()).toBe(true);
  });
});
