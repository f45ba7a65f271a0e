/**
 * Durable Object RPC: errors cross it as values, and the only way to reach the queue and registry objects.
 *
 * SqsErrors cross RPC as return values, not exceptions: a method that throws is logged by the runtime as an
 * uncaught error ("✘ [ERROR] Uncaught Error" in wrangler dev, an exception in `wrangler tail` and the metrics)
 * although a client error such as QueueAlreadyExists is an ordinary answer. `rpcSafe` turns a thrown SqsError into a
 * marker object; `sqsErrorsThrown` wraps a stub so the caller sees the SqsError thrown again.
 *
 * `Env` is the one type this folder takes from the app (src/env.ts names the Durable Object classes): a type-only
 * edge, erased at build time.
 */
import type { Env } from '../env';
import { quotaThrottled, SqsError } from './errors';
import { isQuotaError } from './quota';
import { countSubrequest } from './usage';

/** The registry is a singleton Durable Object under this name. */
export const REGISTRY_NAME = 'registry';

export interface RpcSqsError {
  sqsflareError: { code: string; status: number; queryCode: string; fault: 'Sender' | 'Receiver'; message: string };
}

function isRpcSqsError(value: unknown): value is RpcSqsError {
  return typeof value === 'object' && value !== null && 'sqsflareError' in value;
}

/** The value a method's result crosses as: an SqsError (or a quota refusal) becomes its marker; anything else is thrown again. */
export function rpcErrorValue(thrown: unknown): RpcSqsError {
  // A quota refusal is an answer too (RequestThrottled), not an uncaught error.
  const error = isQuotaError(thrown) ? quotaThrottled(thrown) : thrown;
  if (!(error instanceof SqsError)) throw error;
  return { sqsflareError: { code: error.code, status: error.status, queryCode: error.queryCode, fault: error.fault, message: error.message } };
}

/** A result as it crossed: the SqsError it carries is thrown again; any other value is returned. */
export function unwrapRpcResult(value: unknown): unknown {
  if (!isRpcSqsError(value)) return value;
  const e = value.sqsflareError;
  throw new SqsError(e.code, e.message, e.status, e.queryCode, e.fault);
}

/** Wraps the public methods of a Durable Object class so an SqsError comes back as a value (see above). */
export function rpcSafe(cls: { prototype: object }, methods: string[]): void {
  const proto = cls.prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const name of methods) {
    const original = proto[name];
    proto[name] = async function (this: unknown, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } catch (thrown) {
        return rpcErrorValue(thrown);
      }
    };
  }
}

/**
 * The stub of an `rpcSafe` object, whose method calls throw the SqsError the object returned. Every call to such an
 * object must go through this: a bare stub would take the marker for a result.
 */
export function sqsErrorsThrown<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, property) {
      // Not thenable: the stub may be returned from an async function.
      if (property === 'then') return undefined;
      const member = Reflect.get(target, property) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        countSubrequest();
        return Promise.resolve((member as (...a: unknown[]) => unknown)(...args)).then(unwrapRpcResult);
      };
    },
  });
}

export const queueObject = (env: Env, name: string) => sqsErrorsThrown(env.QUEUE.getByName(name));
export const registryObject = (env: Env) => sqsErrorsThrown(env.REGISTRY.getByName(REGISTRY_NAME));
