/**
 * What every action is handed and the few things they all do with it: reach a queue's object or the registry, name
 * the target queue, hand out URLs. Kept apart from the table (index.ts) so the action files import it without a cycle.
 */
import type { Env } from '../../env';
import { type SqsError, sqsError } from '../../shared/errors';
import { queueNameFromUrl, queueUrl } from '../../shared/names';
import { queueObject, registryObject } from '../../shared/rpc';
import type { Input } from '../params';

export type { Input } from '../params';

export interface ActionContext {
  env: Env;
  /** scheme://host the client reached us on: queue URLs are handed out there */
  origin: string;
  /** queue named by the request path (query protocol POSTs to a queue URL) */
  pathQueueName?: string;
}

/** An action's result in the JSON protocol's shape (the XML renderer walks the same object); undefined: empty. */
export type Result = Record<string, unknown> | undefined;
export type Handler = (ctx: ActionContext, input: Input) => Promise<Result>;

export const queueStub = (ctx: ActionContext, name: string) => queueObject(ctx.env, name);
export const registry = (ctx: ActionContext) => registryObject(ctx.env);
export const urlOf = (ctx: ActionContext, name: string) => queueUrl(ctx.origin, ctx.env.AWS_ACCOUNT_ID, name);

/** The queue a call addresses: its QueueUrl parameter, else the queue URL it was posted to. */
export function targetQueue(ctx: ActionContext, input: Input): string {
  if (input.QueueUrl === undefined && ctx.pathQueueName) return ctx.pathQueueName;
  return queueNameFromUrl(input.QueueUrl, ctx.env.AWS_ACCOUNT_ID);
}

const queueDoesNotExist = () => sqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/** Throws `notFound()` (QueueDoesNotExist unless told otherwise) when the queue has not been created. */
export async function requireQueue(ctx: ActionContext, name: string, notFound: () => SqsError = queueDoesNotExist): Promise<void> {
  if (!(await queueStub(ctx, name).exists())) throw notFound();
}
