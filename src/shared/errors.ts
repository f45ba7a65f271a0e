/**
 * SQS errors without a wire format: the protocol layer renders them (src/protocol/wire.ts). `code` is the JSON shape name (`__type` is
 * `com.amazonaws.sqs#<code>`); `queryCode` is what the query protocol's <Code> and the JSON
 * protocol's `x-amzn-query-error` header carry (the SDKs read it to name the error).
 * Codes and statuses follow the awsQueryError traits in the SQS service model.
 */
import { isQuotaError, quotaName } from './quota';

export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryCode = code,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** code → [query code, HTTP status]; test/shared/errors.test.ts checks it against the SDK's service model. */
export const ERROR_TABLE = {
  QueueDoesNotExist: ['AWS.SimpleQueueService.NonExistentQueue', 400],
  QueueNameExists: ['QueueAlreadyExists', 400],
  QueueDeletedRecently: ['AWS.SimpleQueueService.QueueDeletedRecently', 400],
  BatchEntryIdsNotDistinct: ['AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400],
  BatchRequestTooLong: ['AWS.SimpleQueueService.BatchRequestTooLong', 400],
  EmptyBatchRequest: ['AWS.SimpleQueueService.EmptyBatchRequest', 400],
  InvalidBatchEntryId: ['AWS.SimpleQueueService.InvalidBatchEntryId', 400],
  TooManyEntriesInBatchRequest: ['AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400],
  MessageNotInflight: ['AWS.SimpleQueueService.MessageNotInflight', 400],
  PurgeQueueInProgress: ['AWS.SimpleQueueService.PurgeQueueInProgress', 403],
  UnsupportedOperation: ['AWS.SimpleQueueService.UnsupportedOperation', 400],
  ReceiptHandleIsInvalid: ['ReceiptHandleIsInvalid', 404],
  ResourceNotFoundException: ['ResourceNotFoundException', 404],
  InvalidAddress: ['InvalidAddress', 404],
  InvalidSecurity: ['InvalidSecurity', 403],
  OverLimit: ['OverLimit', 403],
  RequestThrottled: ['RequestThrottled', 403],
  InvalidAttributeName: ['InvalidAttributeName', 400],
  InvalidAttributeValue: ['InvalidAttributeValue', 400],
  InvalidMessageContents: ['InvalidMessageContents', 400],
  InvalidIdFormat: ['InvalidIdFormat', 400],
  // Common errors (not modelled shapes, same code in both protocols).
  InvalidParameterValue: ['InvalidParameterValue', 400],
  MissingParameter: ['MissingParameter', 400],
  InvalidAction: ['InvalidAction', 400],
  MalformedQueryString: ['MalformedQueryString', 400],
  InvalidQueryParameter: ['InvalidQueryParameter', 400],
  UnknownOperationException: ['InvalidAction', 400],
  SerializationException: ['SerializationException', 400],
  RequestEntityTooLarge: ['RequestEntityTooLarge', 413],
  AccessDenied: ['AccessDenied', 403],
  InvalidClientTokenId: ['InvalidClientTokenId', 403],
  SignatureDoesNotMatch: ['SignatureDoesNotMatch', 403],
  IncompleteSignature: ['IncompleteSignature', 400],
  RequestExpired: ['RequestExpired', 400],
  MissingAuthenticationToken: ['MissingAuthenticationToken', 403],
  InternalError: ['InternalError', 500],
} as const satisfies Record<string, readonly [string, number]>;

export type SqsErrorCode = keyof typeof ERROR_TABLE;

/** Builds an error with the status and query code AWS uses for `code`. */
export function sqsError(code: SqsErrorCode, message: string): SqsError {
  const [queryCode, status] = ERROR_TABLE[code];
  return new SqsError(code, message, status, queryCode, status >= 500 ? 'Receiver' : 'Sender');
}

/** The error a batch entry reported, raised as the action's own error (single-entry actions). */
export function sqsErrorFromQueryCode(queryCode: string, message: string): SqsError {
  for (const [code, [q, status]] of Object.entries(ERROR_TABLE)) {
    if (q === queryCode) return new SqsError(code, message, status, queryCode, status >= 500 ? 'Receiver' : 'Sender');
  }
  return new SqsError(queryCode, message);
}

/**
 * A Cloudflare quota refusal (src/shared/quota.ts) as SQS's RequestThrottled: every AWS SDK retries it as a throttle
 * (smithy's THROTTLING_ERROR_CODES, botocore's throttling codes), and the message says when it will pass.
 */
export function quotaThrottled(error: unknown): SqsError {
  return sqsError('RequestThrottled', `Cloudflare's daily ${quotaName(error)} quota for this service is used up; it resets at 00:00 UTC. Retry later.`);
}

export const isSqsError = (error: unknown, code: SqsErrorCode) => error instanceof SqsError && error.code === code;

export const invalidParameter = (message: string) => sqsError('InvalidParameterValue', message);
export const missingParameter = (name: string) =>
  sqsError('MissingParameter', `The request must contain the parameter ${name}.`);

/** Per-entry failure of a batch action, in the shape SQS reports it (JSON-protocol names). */
export interface BatchError {
  Id: string;
  Code: string;
  Message: string;
  SenderFault: boolean;
}

export function toBatchError(id: string, error: unknown): BatchError {
  const e = error instanceof SqsError ? error : isQuotaError(error) ? quotaThrottled(error) : undefined;
  if (e) return { Id: id, Code: e.queryCode, Message: e.message, SenderFault: e.status < 500 };
  console.error('batch entry failed', error);
  return { Id: id, Code: 'InternalError', Message: 'We encountered an internal error. Please try again.', SenderFault: false };
}

export const isBatchError = (r: object): r is BatchError => 'Code' in r && 'SenderFault' in r;
