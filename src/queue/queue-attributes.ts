/** Queue attributes: defaults, validation of settable ones, and the names GetQueueAttributes knows. */
import { sqsError } from '../shared/errors';
import { MAX_DELAY_SECONDS, MAX_MESSAGE_BYTES, MAX_VISIBILITY_TIMEOUT, MAX_WAIT_SECONDS } from '../shared/sqs-limits';
import type { QueueAttributes } from '../shared/messages';

export const DEFAULT_ATTRIBUTES: QueueAttributes = {
  DelaySeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const INTEGER_RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, MAX_DELAY_SECONDS],
  MaximumMessageSize: [1024, MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, MAX_WAIT_SECONDS],
  VisibilityTimeout: [0, MAX_VISIBILITY_TIMEOUT],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const BOOLEANS = new Set(['FifoQueue', 'ContentBasedDeduplication', 'SqsManagedSseEnabled']);
const FREE_TEXT = new Set(['Policy', 'KmsMasterKeyId']);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Computed by the queue, never set. */
export const READ_ONLY_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

export const SETTABLE_ATTRIBUTES = [
  ...Object.keys(INTEGER_RANGES),
  ...BOOLEANS,
  ...FREE_TEXT,
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

const KNOWN = new Set<string>([...READ_ONLY_ATTRIBUTES, ...SETTABLE_ATTRIBUTES]);

export function isKnownAttributeName(name: string): boolean {
  return name === 'All' || KNOWN.has(name);
}

const invalidValue = (name: string, reason: string) =>
  sqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${reason}`);

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function parseRedrivePolicy(text: string | undefined): RedrivePolicy | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const policy = parsed as Record<string, unknown>;
  const arn = policy?.deadLetterTargetArn;
  const count = Number(policy?.maxReceiveCount);
  if (typeof arn !== 'string' || !/^arn:aws:sqs:[^:]+:\d{12}:[A-Za-z0-9_.-]{1,80}$/.test(arn)) {
    throw invalidValue('RedrivePolicy', 'Dead-letter target ARN is not a valid SQS queue ARN.');
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidValue('RedrivePolicy', 'Value for maxReceiveCount must be an integer from 1 to 1000.');
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/**
 * Validates attributes given to CreateQueue or SetQueueAttributes and returns them normalised.
 * `fifo` is the queue's type (for CreateQueue: whether FifoQueue=true was asked for).
 */
export function validateQueueAttributes(raw: unknown, fifo: boolean, creating: boolean): QueueAttributes {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw sqsError('InvalidAttributeName', 'Attributes must be a map.');
  const out: QueueAttributes = {};
  for (const [name, rawValue] of Object.entries(raw as Record<string, unknown>)) {
    const value = typeof rawValue === 'string' ? rawValue : String(rawValue);
    if (!SETTABLE_ATTRIBUTES.includes(name)) {
      throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (FIFO_ONLY.has(name) && !fifo) {
      throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (name === 'FifoQueue' && !creating) {
      throw sqsError('InvalidAttributeName', 'Attribute FifoQueue cannot be changed after the queue is created.');
    }
    const range = INTEGER_RANGES[name];
    if (range) {
      const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!(n >= range[0] && n <= range[1])) {
        throw invalidValue(name, `Must be an integer from ${range[0]} to ${range[1]}.`);
      }
      out[name] = String(n);
    } else if (BOOLEANS.has(name)) {
      if (!/^(true|false)$/i.test(value)) throw invalidValue(name, 'Must be true or false.');
      out[name] = value.toLowerCase();
    } else if (name === 'RedrivePolicy') {
      const policy = value === '' ? undefined : parseRedrivePolicy(value);
      out[name] = policy ? JSON.stringify(policy) : '';
    } else if (name === 'RedriveAllowPolicy') {
      out[name] = value === '' ? '' : validateRedriveAllowPolicy(value);
    } else if (name === 'DeduplicationScope') {
      if (!['messageGroup', 'queue'].includes(value)) throw invalidValue(name, 'Must be messageGroup or queue.');
      out[name] = value;
    } else if (name === 'FifoThroughputLimit') {
      if (!['perQueue', 'perMessageGroupId'].includes(value)) throw invalidValue(name, 'Must be perQueue or perMessageGroupId.');
      out[name] = value;
    } else {
      out[name] = value;
    }
  }
  if (out.FifoQueue === 'false' && fifo) throw invalidValue('FifoQueue', 'FifoQueue must be true for a .fifo queue.');
  return out;
}

function validateRedriveAllowPolicy(text: string): string {
  let policy: Record<string, unknown>;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalidValue('RedriveAllowPolicy', 'Redrive allow policy is not a valid JSON map.');
  }
  const permission = policy?.redrivePermission;
  if (!['allowAll', 'denyAll', 'byQueue'].includes(permission as string)) {
    throw invalidValue('RedriveAllowPolicy', 'redrivePermission must be allowAll, denyAll or byQueue.');
  }
  if (permission === 'byQueue') {
    const arns = policy.sourceQueueArns;
    if (!Array.isArray(arns) || arns.length === 0 || arns.length > 10) {
      throw invalidValue('RedriveAllowPolicy', 'sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.');
    }
  }
  return JSON.stringify(policy);
}

/** Settable attributes with defaults applied, as a new queue stores them. */
export function initialAttributes(given: QueueAttributes, fifo: boolean): QueueAttributes {
  const attributes: QueueAttributes = { ...DEFAULT_ATTRIBUTES, ...given };
  if (fifo) {
    attributes.FifoQueue = 'true';
    attributes.ContentBasedDeduplication ??= 'false';
    attributes.DeduplicationScope ??= 'queue';
    attributes.FifoThroughputLimit ??= 'perQueue';
  } else {
    delete attributes.FifoQueue;
  }
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  return attributes;
}
