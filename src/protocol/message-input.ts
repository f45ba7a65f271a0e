/**
 * What one message (or queue name) may contain (SQS Developer Guide, "Amazon SQS quotas"; API Reference, SendMessage
 * and CreateQueue): body characters, message and system attributes, FIFO tokens, the size SQS counts. Pure functions,
 * unit-tested in test/protocol/message-input.test.ts.
 */
import { utf8Bytes } from '../shared/bytes';
import { invalidParameter, missingParameter, sqsError } from '../shared/errors';
import type { MessageAttributes, MessageAttributeValue } from '../shared/messages';
import { MAX_MESSAGE_ATTRIBUTES } from '../shared/sqs-limits';

const byteLength = (text: string) => utf8Bytes(text).length;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export function validateQueueName(name: string, fifo: boolean): void {
  const ok = fifo ? FIFO_QUEUE_NAME.test(name) : QUEUE_NAME.test(name);
  if (!ok) {
    throw invalidParameter(
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

/** Characters SQS accepts in bodies and string attribute values; the `u` flag makes lone surrogates fail. */
const FORBIDDEN_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Within well-formed UTF-16, the only forbidden characters are these (a non-unicode regex is ~3× faster). */
const FORBIDDEN_IN_WELL_FORMED = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

export function findForbiddenCharacter(text: string): string | undefined {
  // Fast path for the common case; the unicode regex only runs to name the culprit (or a lone surrogate).
  if (text.isWellFormed() && !FORBIDDEN_IN_WELL_FORMED.test(text)) return undefined;
  const match = FORBIDDEN_CHAR.exec(text);
  if (!match) return undefined;
  return `#x${match[0].codePointAt(0)!.toString(16).toUpperCase()}`;
}

export function validateBody(body: unknown): string {
  if (body === undefined || body === null || body === '') throw missingParameter('MessageBody');
  if (typeof body !== 'string') throw invalidParameter('Value for parameter MessageBody must be a string.');
  const bad = findForbiddenCharacter(body);
  if (bad) {
    throw sqsError(
      'InvalidMessageContents',
      `Invalid binary character '${bad}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  return body;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..{1,256})?$/;

export function validateMessageAttributes(raw: unknown): MessageAttributes | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('MessageAttributes must be a map.');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  }
  const out: MessageAttributes = {};
  for (const [name, value] of entries) {
    validateAttributeName(name);
    out[name] = validateAttributeValue(name, value);
  }
  return out;
}

function validateAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (
    !ATTRIBUTE_NAME.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    lower.startsWith('aws.') ||
    lower.startsWith('amazon.')
  ) {
    throw invalidParameter(`Message (user) attribute name '${name}' is invalid.`);
  }
}

function validateAttributeValue(name: string, raw: unknown): MessageAttributeValue {
  if (typeof raw !== 'object' || raw === null) throw invalidParameter(`Message (user) attribute '${name}' must have a value.`);
  const value = raw as Record<string, unknown>;
  const dataType = value.DataType;
  if (typeof dataType !== 'string' || dataType === '') {
    throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute type.`);
  }
  if (!DATA_TYPE.test(dataType)) {
    throw invalidParameter(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
  }
  const base = dataType.split('.')[0];
  if (base === 'Binary') {
    const b64 = value.BinaryValue;
    if (typeof b64 !== 'string' || b64 === '' || !isBase64(b64)) {
      throw invalidParameter(`Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
    }
    return { DataType: dataType, BinaryValue: b64 };
  }
  const text = value.StringValue;
  if (typeof text !== 'string' || text === '') {
    throw invalidParameter(`Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
  }
  const bad = findForbiddenCharacter(text);
  if (bad) throw invalidParameter(`Message (user) attribute '${name}' contains the invalid character '${bad}'.`);
  if (base === 'Number' && !isSqsNumber(text)) {
    throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  return { DataType: dataType, StringValue: text };
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** SQS numbers: up to 38 significant digits, magnitude 10^-128 .. 10^+126. */
function isSqsNumber(text: string): boolean {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return false;
  const digits = text.replace(/^[+-]/, '').split(/[eE]/)[0].replace('.', '').replace(/^0+/, '');
  if (digits.replace(/0+$/, '').length > 38) return false;
  const n = Number(text);
  return Number.isFinite(n) && Math.abs(n) <= 1e126;
}

/** Size SQS counts: body bytes plus each attribute's name, type and value. */
export function messageSize(bodyBytes: number, attributes: MessageAttributes | undefined): number {
  let size = bodyBytes;
  if (attributes) {
    for (const [name, value] of Object.entries(attributes)) {
      size += byteLength(name) + byteLength(value.DataType);
      size += value.BinaryValue !== undefined ? base64ByteLength(value.BinaryValue) : byteLength(value.StringValue ?? '');
    }
  }
  return size;
}

function base64ByteLength(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

export function validateSystemAttributes(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('MessageSystemAttributes must be a map.');
  let trace: string | undefined;
  for (const [name, value] of Object.entries(raw as Record<string, MessageAttributeValue>)) {
    if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    if (value?.DataType !== 'String' || typeof value.StringValue !== 'string' || value.StringValue === '') {
      throw invalidParameter(`Message system attribute '${name}' must contain a non-empty value of type 'String'.`);
    }
    trace = value.StringValue;
  }
  return trace;
}

const FIFO_TOKEN = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

export function validateFifoToken(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !FIFO_TOKEN.test(value)) {
    throw invalidParameter(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
  return value;
}
