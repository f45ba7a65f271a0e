import { describe, expect, it } from 'vitest';
import { sqsMappingsOf } from '../../src/registry/mappings';
import { esm, queueArnOf } from '../support/fake-lambda-api';

const ACCOUNT = '123456789012';

describe('sqsMappingsOf', () => {
  it('keeps SQS mappings of our account by queue name, and skips other sources, accounts and mappings without a function', () => {
    const mine = esm('orders', 'worker');
    const fifo = esm('jobs.fifo', 'worker');
    const byQueue = sqsMappingsOf(
      [
        mine,
        fifo,
        esm('theirs', 'worker', { EventSourceArn: queueArnOf('theirs', '999999999999') }),
        esm('stream', 'worker', { EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s' }),
        esm('orphan', 'worker', { FunctionArn: undefined }),
      ],
      ACCOUNT,
    );
    expect([...byQueue.keys()]).toEqual(['orders', 'jobs.fifo']);
    expect(byQueue.get('orders')).toEqual({ queue: 'orders', esm: mine });
  });

  it('when two mappings name one queue, prefers the enabled one, then the newest', () => {
    const oldDisabled = esm('q', 'a', { State: 'Disabled', LastModified: 1_700_000_000 });
    const newDisabled = esm('q', 'b', { State: 'Disabled', LastModified: 1_800_000_000 });
    const oldEnabled = esm('q', 'c', { State: 'Enabled', LastModified: 1_600_000_000 });
    expect(sqsMappingsOf([oldDisabled, newDisabled], ACCOUNT).get('q')?.esm).toEqual(newDisabled);
    expect(sqsMappingsOf([newDisabled, oldEnabled, oldDisabled], ACCOUNT).get('q')?.esm).toEqual(oldEnabled);
  });
});
