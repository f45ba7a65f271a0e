import { describe, expect, it } from 'vitest';
import { validateQueueAttributes } from '../../src/queue/queue-attributes';
import { codeOf } from '../support/errors';

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
