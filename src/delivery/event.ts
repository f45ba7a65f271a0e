/** The SQS event Lambda receives from an event source mapping, one record per message. */
import { sequenceNumber, type StoredMessage } from '../shared/messages';

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, LambdaMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface LambdaMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

/** Where the records come from: the same for every record of a queue. */
export interface RecordSource {
  eventSourceArn: string;
  awsRegion: string;
  fifo: boolean;
}

export function buildRecord(
  source: RecordSource,
  message: StoredMessage,
  receiptHandle: string,
  receiveCount: number,
  firstReceivedAt: number,
): SqsEventRecord {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(message.sentAt),
    SenderId: message.senderId,
    ApproximateFirstReceiveTimestamp: String(firstReceivedAt),
  };
  if (message.awsTraceHeader) attributes.AWSTraceHeader = message.awsTraceHeader;
  if (message.groupId !== undefined && source.fifo) {
    attributes.SequenceNumber = sequenceNumber(message.seq);
    attributes.MessageGroupId = message.groupId;
    if (message.deduplicationId) attributes.MessageDeduplicationId = message.deduplicationId;
  }
  const messageAttributes: Record<string, LambdaMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.messageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : { stringValue: value.StringValue }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  // Key order as AWS sends it; md5OfMessageAttributes only when there are attributes.
  return {
    messageId: message.messageId,
    receiptHandle,
    body: message.body,
    attributes,
    messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.eventSourceArn,
    awsRegion: source.awsRegion,
  };
}
