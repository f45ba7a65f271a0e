/** An event source mapping as sqsflare applies it, normalised from the Lambda API's shape. */
import type { AwsEventSourceMapping } from '../lambda/types';
import type { FilterCriteria } from './filter';

export interface Mapping {
  uuid?: string;
  functionArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  filterCriteria?: FilterCriteria;
  /**
   * The function's Timeout (ListFunctions), filled by the registry. Delivery waits this long (and a margin) for an
   * invocation and keeps its messages leased at least this long; absent, the queue's visibility timeout stands in.
   */
  functionTimeoutSeconds?: number;
  /**
   * How delivery invokes the function, filled by the registry: 'async' (Invoke with `X-Amz-Invocation-Type: Event`)
   * when the function's Description carries `[sqsflare:async]` or its Timeout is ASYNC_TIMEOUT_SECONDS or more;
   * otherwise (or absent) 'sync' (RequestResponse). See invocationOf().
   */
  invocationMode?: InvocationMode;
  /** why the mode is 'async': the Description's tag, or a Timeout too long to wait for inside one alarm run */
  asyncReason?: AsyncReason;
  /** AWS's State; informational: a disabled mapping still delivers (users disable it so AWS does not poll). */
  state: string;
}

export type { AwsEventSourceMapping };

export type InvocationMode = 'sync' | 'async';
export type AsyncReason = 'tag' | 'timeout';

/**
 * A function that may run this long (14 minutes) cannot be waited for inside one alarm run (15 minutes of wall time,
 * https://developers.cloudflare.com/durable-objects/api/alarms/), and waiting would bill the object's duration for
 * all of it: it is invoked asynchronously without asking. Lambda's own maximum is 900 s
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html).
 */
export const ASYNC_TIMEOUT_SECONDS = 14 * 60;

/** What the registry knows of the mapped function: its Timeout and whether its Description opts in to async delivery. */
export interface FunctionFacts {
  timeoutSeconds?: number;
  asyncTag: boolean;
}

/**
 * The mapping with the invocation mode that follows from the facts, and, for an asynchronous one, the function's
 * Timeout (the dashboard shows it). The registry sets every mapping's Timeout itself (src/registry/mappings.ts).
 */
export function withFunction(mapping: Mapping, facts: FunctionFacts): Mapping {
  const reason: AsyncReason | null = facts.asyncTag ? 'tag' : facts.timeoutSeconds && facts.timeoutSeconds >= ASYNC_TIMEOUT_SECONDS ? 'timeout' : null;
  if (!reason) return mapping;
  const out: Mapping = { ...mapping, invocationMode: 'async', asyncReason: reason };
  if (facts.timeoutSeconds) out.functionTimeoutSeconds = facts.timeoutSeconds;
  return out;
}

/**
 * How this mapping's function is invoked. A Timeout of 14 minutes or more means 'async' even when the registry that
 * filled it did not say so (a mapping pushed with `functionTimeoutSeconds` only).
 */
export function invocationOf(mapping: Mapping): { mode: InvocationMode; reason: AsyncReason | null } {
  if (mapping.invocationMode === 'async') return { mode: 'async', reason: mapping.asyncReason ?? 'tag' };
  if ((mapping.functionTimeoutSeconds ?? 0) >= ASYNC_TIMEOUT_SECONDS) return { mode: 'async', reason: 'timeout' };
  return { mode: 'sync', reason: null };
}

export function mappingFromAws(esm: AwsEventSourceMapping, fifo: boolean): Mapping {
  const maxBatch = fifo ? 10 : 10_000;
  const batchSize = clamp(esm.BatchSize ?? 10, 1, maxBatch);
  // AWS requires a window of at least 1 s for batches above 10.
  const window = clamp(esm.MaximumBatchingWindowInSeconds ?? 0, 0, 300);
  return {
    uuid: esm.UUID,
    functionArn: esm.FunctionArn ?? '',
    batchSize,
    maximumBatchingWindowInSeconds: batchSize > 10 ? Math.max(1, window) : window,
    reportBatchItemFailures: (esm.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    maximumConcurrency: esm.ScalingConfig?.MaximumConcurrency ? clamp(esm.ScalingConfig.MaximumConcurrency, 2, 1000) : undefined,
    filterCriteria: esm.FilterCriteria?.Filters?.length ? esm.FilterCriteria : undefined,
    state: esm.State ?? 'Enabled',
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n)));
}
