import { describe, expect, it } from 'vitest';
import type { SqsError } from '../../src/shared/errors';
import {
  findForbiddenCharacter,
  intParam,
  messageSize,
  validateBatch,
  validateBody,
  validateMessageAttributes,
  validateQueueName,
} from '../../src/protocol/limits';
import { validateQueueAttributes } from '../../src/queue/queue-attributes';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as SqsError).queryCode;
  }
  return undefined;
}

describe('queue names', () => {
  it.each([
    ['orders', false, undefined],
    ['a'.repeat(80), false, undefined],
    ['a'.repeat(81), false, 'InvalidParameterValue'],
    ['has space', false, 'InvalidParameterValue'],
    ['dots.not.allowed', false, 'InvalidParameterValue'],
    ['jobs.fifo', true, undefined],
    ['jobs', true, 'InvalidParameterValue'],
    ['', false, 'InvalidParameterValue'],
  ])('%s (fifo %s) → %s', (name, fifo, code) => {
    expect(codeOf(() => validateQueueName(name, fifo))).toBe(code);
  });
});

describe('message bodies', () => {
  it('accepts the allowed ranges, including astral characters', () => {
    expect(findForbiddenCharacter('tab\there\nline\r\u{1F600}\uE000\uFFFD')).toBeUndefined();
  });

  it.each([
    ['\u0000', '#x0'],
    ['\u0008', '#x8'],
    ['\uFFFE', '#xFFFE'],
    ['lone \uD800 surrogate', '#xD800'],
    ['\uDC00', '#xDC00'],
  ])('rejects %j as %s', (body, reported) => {
    expect(findForbiddenCharacter(body)).toBe(reported);
    expect(codeOf(() => validateBody(body))).toBe('InvalidMessageContents');
  });

  it('requires a non-empty body', () => {
    expect(codeOf(() => validateBody(''))).toBe('MissingParameter');
    expect(codeOf(() => validateBody(undefined))).toBe('MissingParameter');
  });
});

describe('message attributes', () => {
  const string = (v: string) => ({ DataType: 'String', StringValue: v });

  it('accepts up to 10 attributes of the three types with custom suffixes', () => {
    const attrs = validateMessageAttributes({
      s: string('x'),
      n: { DataType: 'Number.int', StringValue: '-1.5e3' },
      b: { DataType: 'Binary', BinaryValue: btoa('bytes') },
    });
    expect(Object.keys(attrs!)).toEqual(['s', 'n', 'b']);
  });

  it.each([
    ['11 attributes', Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, string('x')]))],
    ['AWS. prefix', { 'AWS.thing': string('x') }],
    ['amazon. prefix', { 'amazon.thing': string('x') }],
    ['leading dot', { '.a': string('x') }],
    ['trailing dot', { 'a.': string('x') }],
    ['double dot', { 'a..b': string('x') }],
    ['bad character', { 'a b': string('x') }],
    ['unknown type', { a: { DataType: 'Date', StringValue: 'x' } }],
    ['empty value', { a: string('') }],
    ['not a number', { a: { DataType: 'Number', StringValue: 'twelve' } }],
    ['binary without value', { a: { DataType: 'Binary' } }],
    ['binary not base64', { a: { DataType: 'Binary', BinaryValue: '***' } }],
  ])('rejects %s', (_, attrs) => {
    expect(codeOf(() => validateMessageAttributes(attrs))).toBe('InvalidParameterValue');
  });

  it('counts attribute names, types and values toward the message size', () => {
    expect(messageSize(3, { k: string('vv') })).toBe(3 + 1 + 6 + 2);
    expect(messageSize(3, { b: { DataType: 'Binary', BinaryValue: btoa('12345') } })).toBe(3 + 1 + 6 + 5);
  });
});

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

describe('queue attributes', () => {
  it('validates ranges and names', () => {
    expect(validateQueueAttributes({ VisibilityTimeout: '60', DelaySeconds: 900 }, false, true)).toEqual({
      VisibilityTimeout: '60',
      DelaySeconds: '900',
    });
    expect(codeOf(() => validateQueueAttributes({ DelaySeconds: '901' }, false, true))).toBe('InvalidAttributeValue');
    expect(codeOf(() => validateQueueAttributes({ MessageRetentionPeriod: '59' }, false, true))).toBe('InvalidAttributeValue');
    expect(codeOf(() => validateQueueAttributes({ Colour: 'red' }, false, true))).toBe('InvalidAttributeName');
    expect(codeOf(() => validateQueueAttributes({ ContentBasedDeduplication: 'true' }, false, true))).toBe('InvalidAttributeName');
    expect(codeOf(() => validateQueueAttributes({ FifoQueue: 'true' }, true, false))).toBe('InvalidAttributeName');
  });

  it('validates redrive policies', () => {
    const ok = validateQueueAttributes(
      { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":"3"}' },
      false,
      true,
    );
    expect(JSON.parse(ok.RedrivePolicy)).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq', maxReceiveCount: 3 });
    expect(codeOf(() => validateQueueAttributes({ RedrivePolicy: '{' }, false, true))).toBe('InvalidAttributeValue');
    expect(
      codeOf(() => validateQueueAttributes({ RedrivePolicy: '{"deadLetterTargetArn":"nope","maxReceiveCount":3}' }, false, true)),
    ).toBe('InvalidAttributeValue');
  });
});
