/** Message shapes shared by the protocol layer, the queue Durable Object and delivery. JSON-protocol names. */

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** base64, as both protocols carry it */
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

/** A message as validated by the API layer, ready to store. */
export interface NewMessage {
  /** batch entry id, echoed back in batch results */
  entryId?: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: MessageAttributes;
  md5OfMessageAttributes?: string;
  awsTraceHeader?: string;
  md5OfMessageSystemAttributes?: string;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
  /** bytes SQS counts against MaximumMessageSize (body + attributes) */
  size?: number;
}

export interface SendResult {
  entryId?: string;
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

/** A stored message as the queue hands it out (ReceiveMessage, delivery, peek). */
export interface StoredMessage {
  seq: number;
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: MessageAttributes;
  md5OfMessageAttributes?: string;
  awsTraceHeader?: string;
  groupId?: string;
  deduplicationId?: string;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  visibleAt: number;
  senderId: string;
  /** set on messages a dead-letter move brought here */
  deadLetterSourceArn?: string;
}

export interface ReceivedMessage extends StoredMessage {
  receiptHandle: string;
}

/** Queue attributes as SQS names them; values are strings on the wire. */
export type QueueAttributes = Record<string, string>;

/** A FIFO message's SequenceNumber as SQS writes it: the sequence, zero-padded to 20 digits. */
export function sequenceNumber(seq: number): string {
  return String(seq).padStart(20, '0');
}
