import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { sqsError } from '../../src/shared/errors';
import { parseCall, renderError, renderResult } from '../../src/protocol/wire';

const xml = new XMLParser({ processEntities: true, htmlEntities: true });

describe('rendering', () => {
  it('renders query results as SQS XML, lists flattened', async () => {
    const response = renderResult('query', 'ListQueues', { QueueUrls: ['http://h/1/a', 'http://h/1/b'] }, 'rid');
    expect(response.headers.get('content-type')).toBe('text/xml');
    const doc = xml.parse(await response.text());
    expect(doc.ListQueuesResponse.ListQueuesResult.QueueUrl).toEqual(['http://h/1/a', 'http://h/1/b']);
    expect(doc.ListQueuesResponse.ResponseMetadata.RequestId).toBe('rid');
  });

  it('renders messages with attributes and escapes markup and carriage returns', async () => {
    const body = '<b>&"\'\r\n';
    const text = await renderResult(
      'query',
      'ReceiveMessage',
      {
        Messages: [
          {
            MessageId: 'm',
            Body: body,
            Attributes: { SentTimestamp: '1' },
            MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
          },
        ],
      },
      'rid',
    ).text();
    expect(text).toContain('&lt;b&gt;&amp;&quot;&apos;&#xD;\n');
    expect(text).toContain('<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>');
    expect(text).toContain('<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute>');
  });

  it('renders batch results under the action-specific entry names', async () => {
    const text = await renderResult(
      'query',
      'SendMessageBatch',
      { Successful: [{ Id: 'a', MessageId: 'm' }], Failed: [{ Id: 'b', Code: 'X', Message: 'y', SenderFault: true }] },
      'rid',
    ).text();
    expect(text).toContain('<SendMessageBatchResultEntry><Id>a</Id><MessageId>m</MessageId></SendMessageBatchResultEntry>');
    expect(text).toContain('<BatchResultErrorEntry><Id>b</Id><Code>X</Code><Message>y</Message><SenderFault>true</SenderFault></BatchResultErrorEntry>');
  });

  it('renders errors in each protocol with the AWS codes', async () => {
    const error = sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    const asXml = renderError('query', error, 'rid');
    expect(asXml.status).toBe(400);
    const doc = xml.parse(await asXml.text());
    expect(doc.ErrorResponse.Error).toMatchObject({ Type: 'Sender', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(doc.ErrorResponse.RequestId).toBe('rid');

    const asJson = renderError('json', error, 'rid');
    expect(asJson.status).toBe(400);
    expect(asJson.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(asJson.headers.get('x-amzn-requestid')).toBe('rid');
    expect(await asJson.json()).toEqual({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
  });

  it('uses the modelled statuses', () => {
    expect(renderError('json', sqsError('ReceiptHandleIsInvalid', 'x'), 'r').status).toBe(404);
    expect(renderError('json', sqsError('PurgeQueueInProgress', 'x'), 'r').status).toBe(403);
  });
});

describe('parsing', () => {
  const json = (target: string, body: string, contentType = 'application/x-amz-json-1.0') =>
    new Request('https://h/', { method: 'POST', headers: { 'x-amz-target': target, 'content-type': contentType }, body });

  it('reads JSON 1.0 calls, with a charset after the content type', () => {
    const call = parseCall(json('AmazonSQS.ListQueues', '{"QueueNamePrefix":"a"}', 'application/x-amz-json-1.0; charset=utf-8'), '{"QueueNamePrefix":"a"}', 'json');
    expect(call).toEqual({ protocol: 'json', action: 'ListQueues', input: { QueueNamePrefix: 'a' } });
  });

  it('rejects broken JSON, non-objects and bad targets', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(() => parseCall(json('AmazonSQS.ListQueues', '{'), '{', 'json'))).toBe('SerializationException');
    expect(code(() => parseCall(json('AmazonSQS.ListQueues', '[]'), '[]', 'json'))).toBe('SerializationException');
    expect(code(() => parseCall(json('Other.ListQueues', '{}'), '{}', 'json'))).toBe('UnknownOperationException');
  });

  it('reads query calls from the form body and the URL', () => {
    const request = new Request('https://h/000000000000/q?Version=2012-11-05', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=SendMessage&MessageBody=hi%20there',
    });
    expect(parseCall(request, 'Action=SendMessage&MessageBody=hi%20there', 'query')).toEqual({
      protocol: 'query',
      action: 'SendMessage',
      input: { MessageBody: 'hi there' },
    });
  });
});
