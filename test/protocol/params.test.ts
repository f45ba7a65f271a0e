import { describe, expect, it } from 'vitest';
import { type BatchError, invalidParameter } from '../../src/shared/errors';
import { intParam, single, splitResults, stringList, stringMap, stringParam, validateBatch, validateEntries } from '../../src/protocol/params';
import { codeOf } from '../support/errors';

describe('batches', () => {
  it.each([
    [[], 'AWS.SimpleQueueService.EmptyBatchRequest'],
    [Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}` })), 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'],
    [[{ Id: 'a' }, { Id: 'a' }], 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'],
    [[{ Id: 'bad id' }], 'AWS.SimpleQueueService.InvalidBatchEntryId'],
    [[{ Id: 'x'.repeat(81) }], 'AWS.SimpleQueueService.InvalidBatchEntryId'],
  ])('rejects %j', (entries, code) => {
    expect(codeOf(() => validateBatch(entries, 'Entry'))).toBe(code);
  });

  it('accepts ten distinct valid ids', () => {
    expect(validateBatch(Array.from({ length: 10 }, (_, i) => ({ Id: `id_${i}-x` })), 'Entry')).toHaveLength(10);
  });
});

describe('integer parameters', () => {
  it('reads JSON numbers and query strings alike', () => {
    expect(intParam({ D: 5 }, 'D', 0, 900)).toBe(5);
    expect(intParam({ D: '900' }, 'D', 0, 900)).toBe(900);
    expect(intParam({}, 'D', 0, 900)).toBeUndefined();
  });

  it.each([901, -1, '1.5', 'abc', 2.5])('rejects %j', (value) => {
    expect(codeOf(() => intParam({ D: value }, 'D', 0, 900))).toBe('InvalidParameterValue');
  });
});

describe('string parameters', () => {
  it('reads strings, lists and maps, and refuses other types', () => {
    expect(stringParam({ Q: 'x' }, 'Q', true)).toBe('x');
    expect(codeOf(() => stringParam({}, 'Q', true))).toBe('MissingParameter');
    expect(codeOf(() => stringParam({ Q: 1 }, 'Q'))).toBe('InvalidParameterValue');
    expect(stringList({}, 'L')).toEqual([]);
    expect(codeOf(() => stringList({ L: ['a', 1] }, 'L'))).toBe('InvalidParameterValue');
    expect(stringMap({ Tags: { a: 1 } }, 'tags', 'Tags')).toEqual({ a: '1' });
    expect(stringMap({}, 'Tags')).toBeUndefined();
    expect(codeOf(() => stringMap({ Tags: ['a'] }, 'Tags'))).toBe('InvalidParameterValue');
  });
});

describe('batch results', () => {
  const failure = (Id: string): BatchError => ({ Id, SenderFault: true, Code: 'InvalidParameterValue', Message: 'no' });

  it('keeps per-entry failures apart from the entries that go on to the queue', async () => {
    const { valid, failed } = await validateEntries([{ Id: 'a' }, { Id: 'b' }], (entry) => {
      if (entry.Id === 'b') throw invalidParameter('bad b');
      return entry.Id.toUpperCase();
    });
    expect(valid).toEqual(['A']);
    expect(failed).toMatchObject([{ Id: 'b', Code: 'InvalidParameterValue', Message: 'bad b' }]);
  });

  it('splits the queue results and lists the refused entries after its own failures', () => {
    expect(splitResults([{ Id: 'a' }, failure('b')], [failure('c')])).toEqual({ Successful: [{ Id: 'a' }], Failed: [failure('b'), failure('c')] });
  });

  it('throws a single-entry failure as the action error', () => {
    expect(codeOf(() => single(failure('0')))).toBe('InvalidParameterValue');
    expect(single({ Id: '0' })).toEqual({ Id: '0' });
  });
});
