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
  /** AWS's State; informational: a disabled mapping still delivers (users disable it so AWS does not poll). */
  state: string;
  /** the function's Timeout from ListFunctions (the registry fills it in), when known */
  functionTimeoutSeconds?: number;
}

export type { AwsEventSourceMapping };

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
