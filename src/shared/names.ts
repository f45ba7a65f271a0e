/** Queue names, ARNs and URLs. URLs are handed out on the Worker's own host; AWS-form URLs resolve by name. */
import { sqsError } from './errors';

/** The account settings a queue's ARN is made of. */
export interface AccountSettings {
  AWS_REGION: string;
  AWS_ACCOUNT_ID: string;
}

export function queueArn(env: AccountSettings, name: string): string {
  return `arn:aws:sqs:${env.AWS_REGION}:${env.AWS_ACCOUNT_ID}:${name}`;
}

export function queueNameFromArn(arn: string): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || !parts[5]) {
    throw sqsError('InvalidParameterValue', `Value ${arn} for parameter ARN is invalid.`);
  }
  return parts[5];
}

export function queueUrl(origin: string, accountId: string, name: string): string {
  return `${origin}/${accountId}/${name}`;
}

const QUEUE_PATH = /^\/(\d{12}|queue)\/([A-Za-z0-9_.-]{1,80})\/?$/;

const queueDoesNotExist = () => sqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/**
 * The queue name in a path `/<account>/<name>`, or undefined for any other path. A path naming another account is
 * QueueDoesNotExist: this Worker serves one account's queues, and a queue of another account must never resolve to
 * ours by its name. `/queue/<name>` is the account-less form local SQS emulators hand out.
 */
export function queueNameFromPath(path: string, accountId: string): string | undefined {
  const match = QUEUE_PATH.exec(path);
  if (!match) return undefined;
  if (match[1] !== accountId && match[1] !== 'queue') throw queueDoesNotExist();
  return match[2];
}

/**
 * The queue a QueueUrl names: ours (`<origin>/<account>/<name>`) or AWS's
 * (`https://sqs.<region>.amazonaws.com/<account>/<name>`, also the legacy `queue.amazonaws.com`).
 */
export function queueNameFromUrl(url: unknown, accountId: string): string {
  if (typeof url !== 'string' || url === '') {
    throw sqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  }
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.startsWith('/') ? url : '';
  }
  const name = queueNameFromPath(path, accountId);
  if (!name) throw queueDoesNotExist();
  return name;
}

/** The function name in a function ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export const functionNameOf = (arn: string | undefined | null) => (arn ? (arn.split(':function:')[1]?.split(':')[0] ?? arn) : null);
