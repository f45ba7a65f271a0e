/** Per-entry failures of batch actions, in the shape SQS reports them. */
import { SqsError } from '../protocol/errors';
import type { BatchError } from './model';

export function toBatchError(id: string, error: unknown): BatchError {
  const e = error instanceof SqsError ? error : undefined;
  if (e) return { Id: id, Code: e.queryCode, Message: e.message, SenderFault: e.status < 500 };
  console.error('batch entry failed', error);
  return { Id: id, Code: 'InternalError', Message: 'We encountered an internal error. Please try again.', SenderFault: false };
}

