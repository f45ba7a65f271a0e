/**
 * Fan-out for MaximumConcurrency above 6. One invocation (an alarm run included) may hold only
 * six outgoing connections at once; Durable Object RPC calls do not count toward that limit, so
 * the queue's alarm hands each batch to an invoker object whose own invocation makes the call.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { invokeFunction, type InvokeOutcome } from '../lambda/client';

export class InvokerDO extends DurableObject<Env> {
  async invoke(functionArn: string, payload: string, timeoutMs: number): Promise<InvokeOutcome> {
    return invokeFunction(this.env, functionArn, payload, timeoutMs);
  }
}
