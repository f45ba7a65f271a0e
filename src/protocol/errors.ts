/**
 * SQS errors as both protocols render them. `code` is the JSON shape name (`__type` is
 * `com.amazonaws.sqs#<code>`); `queryCode` is what the query protocol's <Code> and the JSON
 * protocol's `x-amzn-query-error` header carry (the SDKs read it to name the error).
 * Codes and statuses follow the awsQueryError traits in the SQS service model.
 */
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

const modelled = {
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
  IncompleteSignature: ['IncompleteSignature', 403],
  RequestExpired: ['RequestExpired', 403],
  MissingAuthenticationToken: ['MissingAuthenticationToken', 403],
  InternalError: ['InternalError', 500],
} as const satisfies Record<string, readonly [string, number]>;

export type SqsErrorCode = keyof typeof modelled;

/** Builds an error with the status and query code AWS uses for `code`. */
export function sqsError(code: SqsErrorCode, message: string): SqsError {
  const [queryCode, status] = modelled[code];
  return new SqsError(code, message, status, queryCode, status >= 500 ? 'Receiver' : 'Sender');
}

/** The error a batch entry reported, raised as the action's own error (single-entry actions). */
export function sqsErrorFromQueryCode(queryCode: string, message: string): SqsError {
  for (const [code, [q, status]] of Object.entries(modelled)) {
    if (q === queryCode) return new SqsError(code, message, status, queryCode, status >= 500 ? 'Receiver' : 'Sender');
  }
  return new SqsError(queryCode, message);
}

export const invalidParameter = (message: string) => sqsError('InvalidParameterValue', message);
export const missingParameter = (name: string) =>
  sqsError('MissingParameter', `The request must contain the parameter ${name}.`);

/*
 * SqsErrors cross Durable Object RPC as return values, not exceptions: a method that throws is logged by the
 * runtime as an uncaught error ("✘ [ERROR] Uncaught Error" in wrangler dev, an exception in `wrangler tail` and the
 * metrics) although a client error such as QueueAlreadyExists is an ordinary answer. `rpcSafe` turns a thrown
 * SqsError into a marker object; `sqsErrorsThrown` wraps a stub so the caller sees the SqsError thrown again.
 */
interface RpcSqsError {
  sqsflareError: { code: string; status: number; queryCode: string; fault: 'Sender' | 'Receiver'; message: string };
}

function isRpcSqsError(value: unknown): value is RpcSqsError {
  return typeof value === 'object' && value !== null && 'sqsflareError' in value;
}

function unwrapRpcResult(value: unknown): unknown {
  if (!isRpcSqsError(value)) return value;
  const e = value.sqsflareError;
  throw new SqsError(e.code, e.message, e.status, e.queryCode, e.fault);
}

/** Wraps the public methods of a Durable Object class so an SqsError comes back as a value (see above). */
export function rpcSafe(cls: { prototype: object }, methods: string[]): void {
  const proto = cls.prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const name of methods) {
    const original = proto[name];
    proto[name] = async function (this: unknown, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        const rpcError: RpcSqsError = {
          sqsflareError: { code: error.code, status: error.status, queryCode: error.queryCode, fault: error.fault, message: error.message },
        };
        return rpcError;
      }
    };
  }
}

/**
 * The stub of an `rpcSafe` object, whose method calls throw the SqsError the object returned. Every call to such an
 * object must go through this: a bare stub would take the marker for a result.
 */
export function sqsErrorsThrown<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, property) {
      // Not thenable: the stub may be returned from an async function.
      if (property === 'then') return undefined;
      const member = Reflect.get(target, property) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => Promise.resolve((member as (...a: unknown[]) => unknown)(...args)).then(unwrapRpcResult);
    },
  });
}
