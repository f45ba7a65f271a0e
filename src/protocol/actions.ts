/**
 * The SQS actions, each defined once against the JSON protocol's input and output shapes.
 * Validation that needs no queue state happens here; the rest is an RPC to the queue's object.
 */
import type { Env } from '../env';
import { type BatchError, invalidParameter, isBatchError, missingParameter, sqsError, sqsErrorFromQueryCode, toBatchError } from '../shared/errors';
import {
  intParam,
  messageSize,
  stringParam,
  validateBatch,
  validateBody,
  validateFifoToken,
  validateMessageAttributes,
  validateQueueName,
  validateSystemAttributes,
} from './limits';
import { MAX_DELAY_SECONDS, MAX_MESSAGE_BYTES, MAX_VISIBILITY_TIMEOUT, MAX_WAIT_SECONDS } from '../shared/sqs-limits';
import { md5Hex } from '../shared/bytes';
import { md5OfMessageAttributes } from './md5';
import { type MessageAttributes, type NewMessage, type ReceivedMessage, type SendResult, sequenceNumber } from '../shared/messages';
import { queueArn, queueNameFromArn, queueNameFromUrl, queueUrl } from '../shared/names';
import { isKnownAttributeName, parseRedrivePolicy, validateQueueAttributes } from '../queue/queue-attributes';
import { queueObject, registryObject } from '../shared/rpc';

export interface ActionContext {
  env: Env;
  /** scheme://host the client reached us on: queue URLs are handed out there */
  origin: string;
  /** queue named by the request path (query protocol POSTs to a queue URL) */
  pathQueueName?: string;
}

type Input = Record<string, unknown>;
type Result = Record<string, unknown> | undefined;
type Handler = (ctx: ActionContext, input: Input) => Promise<Result>;

const queueStub = (ctx: ActionContext, name: string) => queueObject(ctx.env, name);
const registry = (ctx: ActionContext) => registryObject(ctx.env);
const urlOf = (ctx: ActionContext, name: string) => queueUrl(ctx.origin, ctx.env.AWS_ACCOUNT_ID, name);

function targetQueue(ctx: ActionContext, input: Input): string {
  if (input.QueueUrl === undefined && ctx.pathQueueName) return ctx.pathQueueName;
  return queueNameFromUrl(input.QueueUrl);
}

function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParameter(`${name} must be a list of strings.`);
  return value as string[];
}

function stringMap(input: Input, ...names: string[]): Record<string, string> | undefined {
  for (const name of names) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${name} must be a map.`);
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  return undefined;
}

/** Surfaces a single-entry batch failure as the action's own error. */
function single<T extends object>(result: T | BatchError): T {
  if (isBatchError(result)) throw sqsErrorFromQueryCode(result.Code, result.Message);
  return result;
}

function splitResults<T extends { Id: string }>(results: (T | BatchError)[]) {
  const Successful: T[] = [];
  const Failed: BatchError[] = [];
  for (const r of results) (isBatchError(r) ? Failed.push(r) : Successful.push(r));
  return { Successful, Failed };
}

// ---- messages ----------------------------------------------------------------------------------

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

// ---- the actions -------------------------------------------------------------------------------

export const actions: Record<string, Handler> = {
  async CreateQueue(ctx, input) {
    const name = stringParam(input, 'QueueName', true);
    const given = stringMap(input, 'Attributes') ?? {};
    const fifoRequested = given.FifoQueue?.toLowerCase() === 'true';
    if (name.endsWith('.fifo') !== fifoRequested) {
      if (fifoRequested) throw invalidParameter('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
      throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    validateQueueName(name, fifoRequested);
    const attributes = validateQueueAttributes(given, fifoRequested, true);
    const tags = stringMap(input, 'tags', 'Tags') ?? {};
    const redrive = parseRedrivePolicy(attributes.RedrivePolicy);
    const { createdAt } = await queueStub(ctx, name).create(name, attributes, tags, Date.now());
    await registry(ctx).upsertQueue(name, createdAt, redrive ? queueNameFromArn(redrive.deadLetterTargetArn) : null);
    return { QueueUrl: urlOf(ctx, name) };
  },

  async GetQueueUrl(ctx, input) {
    const name = stringParam(input, 'QueueName', true);
    if (!(await queueStub(ctx, name).exists())) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return { QueueUrl: urlOf(ctx, name) };
  },

  async ListQueues(ctx, input) {
    const prefix = stringParam(input, 'QueueNamePrefix') ?? '';
    const maxResults = intParam(input, 'MaxResults', 1, 1000);
    const after = decodeToken(input.NextToken);
    const names = await registry(ctx).listQueues(prefix, (maxResults ?? 1000) + 1, after);
    const page = names.slice(0, maxResults ?? 1000);
    const result: Record<string, unknown> = { QueueUrls: page.map((n) => urlOf(ctx, n)) };
    if (maxResults !== undefined && names.length > page.length) result.NextToken = encodeToken(page[page.length - 1]);
    return result;
  },

  async DeleteQueue(ctx, input) {
    const name = targetQueue(ctx, input);
    await queueStub(ctx, name).deleteQueue();
    await registry(ctx).removeQueue(name);
    return undefined;
  },

  async GetQueueAttributes(ctx, input) {
    const name = targetQueue(ctx, input);
    const names = stringList(input, 'AttributeNames');
    for (const n of names) if (!isKnownAttributeName(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    if (names.length === 0) {
      if (!(await queueStub(ctx, name).exists())) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      return {};
    }
    const attributes = await queueStub(ctx, name).getAttributes(names);
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  },

  async SetQueueAttributes(ctx, input) {
    const name = targetQueue(ctx, input);
    const given = stringMap(input, 'Attributes');
    if (!given) throw missingParameter('Attributes');
    const attributes = validateQueueAttributes(given, name.endsWith('.fifo'), false);
    const stub = queueStub(ctx, name);
    await stub.setAttributes(attributes, Date.now());
    if ('RedrivePolicy' in attributes) {
      const redrive = parseRedrivePolicy(attributes.RedrivePolicy);
      const { CreatedTimestamp } = await stub.getAttributes(['CreatedTimestamp']);
      await registry(ctx).upsertQueue(name, Number(CreatedTimestamp) * 1000, redrive ? queueNameFromArn(redrive.deadLetterTargetArn) : null);
    }
    return undefined;
  },

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
    const failed: BatchError[] = [];
    const prepared: NewMessage[] = [];
    let total = 0;
    for (const entry of entries) {
      try {
        const message = await prepareMessage(entry, entry.Id);
        total += message.size ?? 0;
        prepared.push(message);
      } catch (error) {
        failed.push(toBatchError(entry.Id, error));
      }
    }
    if (total > MAX_MESSAGE_BYTES) {
      throw sqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
    }
    const results = prepared.length > 0 ? await queueStub(ctx, name).send(prepared) : [];
    const split = splitResults(results.map((r) => (isBatchError(r) ? r : sendResultShape(r))));
    return { Successful: split.Successful, Failed: [...split.Failed, ...failed] };
  },

  async ReceiveMessage(ctx, input) {
    const name = targetQueue(ctx, input);
    const maxMessages = intParam(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const visibilityTimeout = intParam(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
    const waitTimeSeconds = intParam(input, 'WaitTimeSeconds', 0, MAX_WAIT_SECONDS);
    // The deprecated AttributeNames is typed as queue attribute names: the API reference lists SqsManagedSseEnabled
    // among its values and says other valid names (ApproximateNumberOfMessages, …) are ignored. The newer
    // MessageSystemAttributeNames takes message system attributes only.
    const legacyNames = stringList(input, 'AttributeNames');
    const messageSystemNames = stringList(input, 'MessageSystemAttributeNames');
    for (const n of legacyNames) if (!SYSTEM_ATTRIBUTE_NAMES.has(n) && !isKnownAttributeName(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    for (const n of messageSystemNames) if (!SYSTEM_ATTRIBUTE_NAMES.has(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    const systemNames = new Set([...legacyNames, ...messageSystemNames]);
    const attributeNames = stringList(input, 'MessageAttributeNames');
    const messages = await queueStub(ctx, name).receive({ maxMessages, visibilityTimeout, waitTimeSeconds });
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
    const timeout = intParam(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
    if (timeout === undefined) throw missingParameter('VisibilityTimeout');
    const [result] = await queueStub(ctx, name).changeVisibility([{ Id: '0', ReceiptHandle: handle, VisibilityTimeout: timeout }]);
    single(result);
    return undefined;
  },

  async ChangeMessageVisibilityBatch(ctx, input) {
    const name = targetQueue(ctx, input);
    const entries = validateBatch<Input & { Id: string }>(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
    const failed: BatchError[] = [];
    const valid: { Id: string; ReceiptHandle: unknown; VisibilityTimeout: number }[] = [];
    for (const entry of entries) {
      try {
        const timeout = intParam(entry, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
        if (timeout === undefined) throw missingParameter('VisibilityTimeout');
        valid.push({ Id: entry.Id, ReceiptHandle: entry.ReceiptHandle, VisibilityTimeout: timeout });
      } catch (error) {
        failed.push(toBatchError(entry.Id, error));
      }
    }
    const split = splitResults(valid.length ? await queueStub(ctx, name).changeVisibility(valid) : []);
    return { Successful: split.Successful, Failed: [...split.Failed, ...failed] };
  },

  async PurgeQueue(ctx, input) {
    await queueStub(ctx, targetQueue(ctx, input)).purge();
    return undefined;
  },

  async TagQueue(ctx, input) {
    const tags = stringMap(input, 'Tags');
    if (!tags) throw missingParameter('Tags');
    await queueStub(ctx, targetQueue(ctx, input)).tag(tags);
    return undefined;
  },

  async UntagQueue(ctx, input) {
    const keys = stringList(input, 'TagKeys');
    if (keys.length === 0) throw missingParameter('TagKeys');
    await queueStub(ctx, targetQueue(ctx, input)).untag(keys);
    return undefined;
  },

  async ListQueueTags(ctx, input) {
    const tags = await queueStub(ctx, targetQueue(ctx, input)).listTags();
    return Object.keys(tags).length > 0 ? { Tags: tags } : {};
  },

  async ListDeadLetterSourceQueues(ctx, input) {
    const name = targetQueue(ctx, input);
    if (!(await queueStub(ctx, name).exists())) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    const maxResults = intParam(input, 'MaxResults', 1, 1000);
    const names = await registry(ctx).deadLetterSources(name, (maxResults ?? 1000) + 1, decodeToken(input.NextToken));
    const page = names.slice(0, maxResults ?? 1000);
    const result: Record<string, unknown> = { queueUrls: page.map((n) => urlOf(ctx, n)) };
    if (maxResults !== undefined && names.length > page.length) result.NextToken = encodeToken(page[page.length - 1]);
    return result;
  },

  async StartMessageMoveTask(ctx, input) {
    const sourceArn = stringParam(input, 'SourceArn', true);
    const destinationArn = stringParam(input, 'DestinationArn');
    const rate = intParam(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
    const source = queueNameFromArn(sourceArn);
    if (destinationArn) {
      const destination = queueNameFromArn(destinationArn);
      if (!(await queueStub(ctx, destination).exists())) throw sqsError('ResourceNotFoundException', 'The destination queue does not exist.');
    }
    if (!(await queueStub(ctx, source).exists())) throw sqsError('ResourceNotFoundException', 'The source queue does not exist.');
    const sources = await registry(ctx).deadLetterSources(source, 1);
    if (sources.length === 0) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    const handle = await queueStub(ctx, source).startMoveTask(queueArn(ctx.env, source), destinationArn, rate);
    return { TaskHandle: handle };
  },

  async ListMessageMoveTasks(ctx, input) {
    const sourceArn = stringParam(input, 'SourceArn', true);
    const maxResults = intParam(input, 'MaxResults', 1, 10) ?? 1;
    const source = queueNameFromArn(sourceArn);
    if (!(await queueStub(ctx, source).exists())) throw sqsError('ResourceNotFoundException', 'The source queue does not exist.');
    const tasks = await queueStub(ctx, source).listMoveTasks(maxResults);
    return {
      Results: tasks.map(({ TaskHandle, StartedTimestamp, ...task }) => ({
        ...(task.Status === 'RUNNING' ? { TaskHandle } : {}),
        ...task,
        StartedTimestamp,
      })),
    };
  },

  async CancelMessageMoveTask(ctx, input) {
    const handle = stringParam(input, 'TaskHandle', true);
    let sourceArn: string;
    try {
      sourceArn = (JSON.parse(atob(handle)) as { sourceArn: string }).sourceArn;
    } catch {
      throw sqsError('ResourceNotFoundException', 'The resource that you specified for the TaskHandle parameter does not exist.');
    }
    const moved = await queueStub(ctx, queueNameFromArn(sourceArn)).cancelMoveTask(handle);
    return { ApproximateNumberOfMessagesMoved: moved };
  },
};

function encodeToken(lastName: string): string {
  return btoa(JSON.stringify({ after: lastName }));
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    const after = (JSON.parse(atob(String(token))) as { after?: unknown }).after;
    if (typeof after === 'string') return after;
  } catch {
    // fall through
  }
  throw invalidParameter('Invalid NextToken value.');
}

