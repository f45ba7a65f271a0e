/**
 * The only way to reach the queue and registry objects: their methods return SqsErrors as values (a thrown error
 * is logged by the runtime as uncaught), and these stubs throw them again on the caller's side.
 */
import type { Env } from './env';
import { sqsErrorsThrown } from './protocol/errors';
import { REGISTRY_NAME } from './registry/catalog';

export const queueObject = (env: Env, name: string) => sqsErrorsThrown(env.QUEUE.getByName(name));
export const registryObject = (env: Env) => sqsErrorsThrown(env.REGISTRY.getByName(REGISTRY_NAME));
