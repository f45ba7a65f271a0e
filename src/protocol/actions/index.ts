/**
 * The SQS action table: each action defined once, against the JSON protocol's input and output shapes, and rendered
 * for both protocols by the endpoint (wire.ts). Validation that needs no queue state happens in the action; the rest
 * is an RPC to the queue's object. The actions live by family: queues.ts, messages.ts, move-tasks.ts.
 */
import type { Handler } from './context';
import { messageActions } from './messages';
import { moveTaskActions } from './move-tasks';
import { queueActions } from './queues';

export type { ActionContext, Handler } from './context';

export const actions: Readonly<Record<string, Handler>> = { ...queueActions, ...messageActions, ...moveTaskActions };
