/** The queue's configuration: its attributes, tags and timestamps, kept as one JSON row, and the answers made of it. */
import { sqsError } from '../shared/errors';
import type { QueueAttributes } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';
import type { MessageCounts } from './store';
import { initialAttributes, parseRedrivePolicy, type RedrivePolicy } from './queue-attributes';

export interface QueueConfig {
  name: string;
  attributes: QueueAttributes;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  /** kept with the config so the 60 s PurgeQueue limit survives an eviction */
  lastPurgeAt?: number;
}

export function loadConfig(sql: SqlCounters): QueueConfig | null {
  const row = sql.one('SELECT value FROM config WHERE id = 1');
  return row ? (JSON.parse(row.value as string) as QueueConfig) : null;
}

export function saveConfig(sql: SqlCounters, config: QueueConfig | null): void {
  sql.exec('INSERT OR REPLACE INTO config (id, value) VALUES (1, ?)', JSON.stringify(config));
}

export function newConfig(name: string, given: QueueAttributes, tags: Record<string, string>, now: number): QueueConfig {
  return { name, attributes: initialAttributes(given, name.endsWith('.fifo')), tags, createdAt: now, modifiedAt: now };
}

/** CreateQueue on an existing queue: throws unless every given attribute matches the stored (or default) value. */
export function checkSameAttributes(config: QueueConfig, given: QueueAttributes, fifo: boolean): void {
  const defaults = initialAttributes({}, fifo);
  for (const [key, value] of Object.entries(given)) {
    const current = config.attributes[key] ?? defaults[key] ?? '';
    if (normaliseAttribute(key, current) !== normaliseAttribute(key, value)) {
      throw sqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`);
    }
  }
}

/** SetQueueAttributes: an empty policy removes it. */
export function applyAttributes(config: QueueConfig, attributes: QueueAttributes, now: number): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === '' && (key === 'RedrivePolicy' || key === 'RedriveAllowPolicy' || key === 'Policy')) delete config.attributes[key];
    else config.attributes[key] = value;
  }
  config.modifiedAt = now;
}

/** TagQueue: SQS allows 50 tags per queue; a refused call changes nothing. */
export function mergeTags(config: QueueConfig, tags: Record<string, string>): void {
  const merged = { ...config.tags, ...tags };
  if (Object.keys(merged).length > 50) throw sqsError('InvalidParameterValue', 'Too many tags added for queue. Maximum 50.');
  config.tags = merged;
}

/** GetQueueAttributes: the names asked for (or All); the counts are computed only when one is asked for. */
export function attributesAnswer(config: QueueConfig, names: string[], arn: string, counts: () => MessageCounts): QueueAttributes {
  const wantAll = names.includes('All');
  const want = (n: string) => wantAll || names.includes(n);
  const out: QueueAttributes = {};
  if (want('QueueArn')) out.QueueArn = arn;
  if (want('ApproximateNumberOfMessages') || want('ApproximateNumberOfMessagesNotVisible') || want('ApproximateNumberOfMessagesDelayed')) {
    const { visible, inFlight, delayed } = counts();
    if (want('ApproximateNumberOfMessages')) out.ApproximateNumberOfMessages = String(visible);
    if (want('ApproximateNumberOfMessagesNotVisible')) out.ApproximateNumberOfMessagesNotVisible = String(inFlight);
    if (want('ApproximateNumberOfMessagesDelayed')) out.ApproximateNumberOfMessagesDelayed = String(delayed);
  }
  if (want('CreatedTimestamp')) out.CreatedTimestamp = String(Math.floor(config.createdAt / 1000));
  if (want('LastModifiedTimestamp')) out.LastModifiedTimestamp = String(Math.floor(config.modifiedAt / 1000));
  for (const [key, value] of Object.entries(config.attributes)) if (want(key)) out[key] = value;
  return out;
}

export const isFifo = (config: QueueConfig | null): boolean => config?.attributes.FifoQueue === 'true';

export const visibilityTimeoutSeconds = (config: QueueConfig): number => Number(config.attributes.VisibilityTimeout);

export const redrivePolicy = (config: QueueConfig | null): RedrivePolicy | undefined => parseRedrivePolicy(config?.attributes.RedrivePolicy);

function normaliseAttribute(key: string, value: string): string {
  if (key === 'RedrivePolicy' || key === 'RedriveAllowPolicy') {
    try {
      return JSON.stringify(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return value.toLowerCase();
}
