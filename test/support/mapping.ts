/** The event source mapping the unit tests give a queue: a fake worker function, batches of 10, no window. */
import type { Mapping } from '../../src/delivery/mapping';

export const mapping = (extra: Partial<Mapping> = {}): Mapping => ({
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:worker',
  batchSize: 10,
  maximumBatchingWindowInSeconds: 0,
  reportBatchItemFailures: false,
  state: 'Enabled',
  ...extra,
});
