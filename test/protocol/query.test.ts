import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/protocol/query';

describe('query protocol parameters', () => {
  it('turns flat members into JSON-protocol shapes', () => {
    const params = new URLSearchParams({
      Action: 'SendMessageBatch',
      Version: '2012-11-05',
      QueueUrl: 'http://h/000000000000/q',
      'SendMessageBatchRequestEntry.2.Id': 'b',
      'SendMessageBatchRequestEntry.2.MessageBody': 'second',
      'SendMessageBatchRequestEntry.1.Id': 'a',
      'SendMessageBatchRequestEntry.1.MessageBody': 'first',
      'SendMessageBatchRequestEntry.1.DelaySeconds': '5',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'colour',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'blue',
    });
    expect(parseQuery(params)).toEqual({
      action: 'SendMessageBatch',
      input: {
        QueueUrl: 'http://h/000000000000/q',
        Entries: [
          {
            Id: 'a',
            MessageBody: 'first',
            DelaySeconds: '5',
            MessageAttributes: { colour: { DataType: 'String', StringValue: 'blue' } },
          },
          { Id: 'b', MessageBody: 'second' },
        ],
      },
    });
  });

  it('reads attributes, tags and name lists', () => {
    const params = new URLSearchParams(
      'Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Tag.1.Key=team&Tag.1.Value=core&AttributeName.1=All&AttributeName.2=QueueArn&TagKey.1=team',
    );
    expect(parseQuery(params).input).toEqual({
      QueueName: 'q',
      Attributes: { DelaySeconds: '5' },
      Tags: { team: 'core' },
      AttributeNames: ['All', 'QueueArn'],
      TagKeys: ['team'],
    });
  });

  it('orders members numerically, not lexically', () => {
    const params = new URLSearchParams();
    for (let i = 10; i >= 1; i--) params.append(`AttributeName.${i}`, `n${i}`);
    expect(parseQuery(params).input.AttributeNames).toEqual(Array.from({ length: 10 }, (_, i) => `n${i + 1}`));
  });

  it('rejects a parameter that is both a value and a structure', () => {
    expect(() => parseQuery(new URLSearchParams('Attribute=x&Attribute.1.Name=y'))).toThrow(/conflicts/);
  });
});
