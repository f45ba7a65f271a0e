import { describe, expect, it } from 'vitest';
import {
  findForbiddenCharacter,
  messageSize,
  validateBody,
  validateFifoToken,
  validateMessageAttributes,
  validateQueueName,
  validateSystemAttributes,
} from '../../src/protocol/message-input';
import { codeOf } from '../support/errors';

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

describe('system attributes and FIFO tokens', () => {
  it('takes AWSTraceHeader as the one message system attribute', () => {
    expect(validateSystemAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-x' } })).toBe('Root=1-x');
    expect(validateSystemAttributes(undefined)).toBeUndefined();
    expect(codeOf(() => validateSystemAttributes({ Other: { DataType: 'String', StringValue: 'x' } }))).toBe('InvalidParameterValue');
    expect(codeOf(() => validateSystemAttributes({ AWSTraceHeader: { DataType: 'Number', StringValue: '1' } }))).toBe('InvalidParameterValue');
  });

  it.each([
    ['group-1', undefined],
    ['!#$%&()*+,-./:;<=>?@[]^_`{|}~', undefined],
    ['a'.repeat(128), undefined],
    ['a'.repeat(129), 'InvalidParameterValue'],
    ['with space', 'InvalidParameterValue'],
    ['', 'InvalidParameterValue'],
  ])('MessageGroupId %j → %s', (token, code) => {
    expect(codeOf(() => validateFifoToken('MessageGroupId', token))).toBe(code);
  });
});
