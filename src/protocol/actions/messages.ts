/**
 * The message actions: send (one or a batch), receive, delete and change visibility (one or a batch). Bodies and
 * attributes are validated and digested here, before the one RPC to the queue's object; received messages are shaped
 * here, with only the attributes the caller asked for.
 */
import { invalidParameter, isBatchError, missingParameter, sqsError } from '../../shared/errors';
import { md5Hex } from '../../shared/bytes';
import { type MessageAttributes, type NewMessage, type ReceivedMessage, type SendResult, sequenceNumber } from '../../shared/messages';
import { MAX_DELAY_SECONDS, MAX_MESSAGE_BYTES, MAX_VISIBILITY_TIMEOUT, MAX_WAIT_SECONDS } from '../../shared/sqs-limits';
import { isKnownAttributeName } from '../../queue/queue-attributes';
import { receiveWaiting } from '../long-poll';
import { md5OfMessageAttributes } from '../md5';
import { messageSize, validateBody, validateFifoToken, validateMessageAttributes, validateSystemAttributes } from '../message-input';
import { type Input, intParam, single, splitResults, stringList, stringParam, validateBatch, validateEntries } from '../params';
import { type Handler, queueStub, targetQueue } from './context';

export const messageActions: Record<string, Handler> = {
  async SendMessage(ctx, input) {
    const name = targetQueue(ctx, input);
    const message = await prepareMessage(input);
    const [result] = await queueStub(ctx, name).send([message]);
    const { Id: _, ...shape } = sendResultShape(single(result));
    return shape;
  },

  async SendMessageBatch(ctx, input) {
    const name = targetQueue(ctx, input);
    const entries = validateBatch<Input & { Id: string }>(input.Entries, 'SendMessageBatchRequestEntry');
    const { valid, failed } = await validateEntries(entries, (entry) => prepareMessage(entry, entry.Id));
    const total = valid.reduce((sum, message) => sum + (message.size ?? 0), 0);
    if (total > MAX_MESSAGE_BYTES) {
      throw sqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
    }
    const results = valid.length > 0 ? await queueStub(ctx, name).send(valid) : [];
    return splitResults(results.map((r) => (isBatchError(r) ? r : sendResultShape(r))), failed);
  },

  async ReceiveMessage(ctx, input) {
    const name = targetQueue(ctx, input);
    const maxMessages = intParam(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const visibilityTimeout = intParam(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
    const waitTimeSeconds = intParam(input, 'WaitTimeSeconds', 0, MAX_WAIT_SECONDS);
    const systemNames = requestedSystemAttributes(input);
    const attributeNames = stringList(input, 'MessageAttributeNames');
    const options = { maxMessages, visibilityTimeout, waitTimeSeconds };
    // A short poll is one RPC; one that may wait (its own WaitTimeSeconds, or the queue's default) parks in the Worker.
    const messages = waitTimeSeconds === 0 ? await queueStub(ctx, name).receive(options) : await receiveWaiting(ctx.env, name, options);
    const fifo = name.endsWith('.fifo');
    return { Messages: await Promise.all(messages.map((m) => receivedShape(m, systemNames, attributeNames, fifo))) };
  },

  async DeleteMessage(ctx, input) {
    const name = targetQueue(ctx, input);
    const handle = stringParam(input, 'ReceiptHandle', true);
    const [result] = await queueStub(ctx, name).deleteMessages([{ Id: '0', ReceiptHandle: handle }]);
    single(result);
    return undefined;
  },

  async DeleteMessageBatch(ctx, input) {
    const name = targetQueue(ctx, input);
    const entries = validateBatch<{ Id: string; ReceiptHandle: unknown }>(input.Entries, 'DeleteMessageBatchRequestEntry');
    return splitResults(await queueStub(ctx, name).deleteMessages(entries.map((e) => ({ Id: e.Id, ReceiptHandle: e.ReceiptHandle }))));
  },

  async ChangeMessageVisibility(ctx, input) {
    const name = targetQueue(ctx, input);
    const handle = stringParam(input, 'ReceiptHandle', true);
    const timeout = visibilityTimeoutParam(input);
    const [result] = await queueStub(ctx, name).changeVisibility([{ Id: '0', ReceiptHandle: handle, VisibilityTimeout: timeout }]);
    single(result);
    return undefined;
  },

  async ChangeMessageVisibilityBatch(ctx, input) {
    const name = targetQueue(ctx, input);
    const entries = validateBatch<Input & { Id: string }>(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
    const { valid, failed } = await validateEntries(entries, (entry) => ({
      Id: entry.Id,
      ReceiptHandle: entry.ReceiptHandle,
      VisibilityTimeout: visibilityTimeoutParam(entry),
    }));
    return splitResults(valid.length ? await queueStub(ctx, name).changeVisibility(valid) : [], failed);
  },
};

function visibilityTimeoutParam(input: Input): number {
  const timeout = intParam(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
  if (timeout === undefined) throw missingParameter('VisibilityTimeout');
  return timeout;
}

const utf8 = new TextEncoder();
/**
 * One reusable buffer for encoding bodies: encodeInto a preallocated buffer costs about half of encode()'s fresh
 * allocation for a 1 MiB body. Safe to reuse: the digest copies its input before the first await.
 */
let scratch = new Uint8Array(64 * 1024);
function encodeBody(body: string): Uint8Array {
  if (body.length * 3 > scratch.length) scratch = new Uint8Array(Math.min(body.length * 3, 4 * MAX_MESSAGE_BYTES));
  if (body.length * 3 > scratch.length) return utf8.encode(body);
  const { written } = utf8.encodeInto(body, scratch);
  return scratch.subarray(0, written);
}

/** Validates one SendMessage input (or batch entry) and computes its digests. */
export async function prepareMessage(input: Input, entryId?: string): Promise<NewMessage> {
  const body = validateBody(input.MessageBody);
  const messageAttributes = validateMessageAttributes(input.MessageAttributes);
  const awsTraceHeader = validateSystemAttributes(input.MessageSystemAttributes);
  // Encoded once: the byte count and the digest both need the UTF-8 bytes.
  const bodyBytes = encodeBody(body);
  const size = messageSize(bodyBytes.length, messageAttributes);
  if (size > MAX_MESSAGE_BYTES) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
  }
  const message: NewMessage = {
    entryId,
    body,
    md5OfBody: await md5Hex(bodyBytes),
    messageAttributes,
    md5OfMessageAttributes: await md5OfMessageAttributes(messageAttributes),
    awsTraceHeader,
    delaySeconds: extendedDelay(messageAttributes) ?? intParam(input, 'DelaySeconds', 0, MAX_DELAY_SECONDS),
    groupId: validateFifoToken('MessageGroupId', input.MessageGroupId),
    deduplicationId: validateFifoToken('MessageDeduplicationId', input.MessageDeduplicationId),
    size,
  };
  if (awsTraceHeader !== undefined) {
    message.md5OfMessageSystemAttributes = await md5OfMessageAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: awsTraceHeader } });
  }
  return message;
}

/**
 * Beyond SQS: the message attribute `sqsflare.DelaySeconds` (Number) delays one message up to 14 days. A Durable
 * Object alarm costs the same whether it fires in 5 s or 5 days. The attribute stays on the message (its MD5 counts it).
 */
export const EXTENDED_DELAY_ATTRIBUTE = 'sqsflare.DelaySeconds';
export const MAX_EXTENDED_DELAY_SECONDS = 14 * 24 * 3600;

function extendedDelay(attributes: MessageAttributes | undefined): number | undefined {
  const attribute = attributes?.[EXTENDED_DELAY_ATTRIBUTE];
  if (!attribute) return undefined;
  const value = Number(attribute.StringValue);
  if (!attribute.DataType.startsWith('Number') || !Number.isInteger(value) || value < 0 || value > MAX_EXTENDED_DELAY_SECONDS) {
    throw invalidParameter(`Value for message attribute ${EXTENDED_DELAY_ATTRIBUTE} is invalid. Reason: it must be a Number from 0 to ${MAX_EXTENDED_DELAY_SECONDS} (14 days).`);
  }
  return value;
}

type SendResultShape = Omit<SendResult, 'entryId'> & { Id: string };

function sendResultShape(r: SendResult): SendResultShape {
  const { entryId, ...rest } = r;
  return { Id: entryId ?? '', ...rest };
}

const SYSTEM_ATTRIBUTE_NAMES = new Set([
  'All',
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
]);

/**
 * The system attributes a ReceiveMessage asks for. The deprecated AttributeNames is typed as queue attribute names:
 * the API reference lists SqsManagedSseEnabled among its values and says other valid names
 * (ApproximateNumberOfMessages, …) are ignored. The newer MessageSystemAttributeNames takes message system attributes only.
 */
function requestedSystemAttributes(input: Input): Set<string> {
  const legacyNames = stringList(input, 'AttributeNames');
  const messageSystemNames = stringList(input, 'MessageSystemAttributeNames');
  for (const n of legacyNames) if (!SYSTEM_ATTRIBUTE_NAMES.has(n) && !isKnownAttributeName(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  for (const n of messageSystemNames) if (!SYSTEM_ATTRIBUTE_NAMES.has(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  return new Set([...legacyNames, ...messageSystemNames]);
}

async function receivedShape(
  message: ReceivedMessage,
  systemNames: Set<string>,
  attributeNames: string[],
  fifo: boolean,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  const all = systemNames.has('All');
  const want = (n: string) => all || systemNames.has(n);
  const attributes: Record<string, string> = {};
  if (want('SenderId')) attributes.SenderId = message.senderId;
  if (want('SentTimestamp')) attributes.SentTimestamp = String(message.sentAt);
  if (want('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(message.receiveCount);
  if (want('ApproximateFirstReceiveTimestamp')) attributes.ApproximateFirstReceiveTimestamp = String(message.firstReceivedAt ?? message.sentAt);
  if (want('AWSTraceHeader') && message.awsTraceHeader) attributes.AWSTraceHeader = message.awsTraceHeader;
  if (want('DeadLetterQueueSourceArn') && message.deadLetterSourceArn) attributes.DeadLetterQueueSourceArn = message.deadLetterSourceArn;
  if (fifo) {
    if (want('SequenceNumber')) attributes.SequenceNumber = sequenceNumber(message.seq);
    if (want('MessageGroupId') && message.groupId) attributes.MessageGroupId = message.groupId;
    if (want('MessageDeduplicationId') && message.deduplicationId) attributes.MessageDeduplicationId = message.deduplicationId;
  }
  if (Object.keys(attributes).length > 0) out.Attributes = attributes;
  const selected = selectMessageAttributes(message.messageAttributes, attributeNames);
  if (selected) {
    const full = Object.keys(selected).length === Object.keys(message.messageAttributes ?? {}).length;
    out.MD5OfMessageAttributes = full ? message.md5OfMessageAttributes : await md5OfMessageAttributes(selected);
    out.MessageAttributes = selected;
  }
  return out;
}

/** MessageAttributeNames: `All`, `.*`, exact names, or prefixes written `prefix.*`. */
function selectMessageAttributes(attributes: MessageAttributes | undefined, names: string[]): MessageAttributes | undefined {
  if (!attributes || names.length === 0) return undefined;
  const all = names.some((n) => n === 'All' || n === '.*');
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  const out: MessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (all || names.includes(name) || prefixes.some((p) => name.startsWith(p))) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
