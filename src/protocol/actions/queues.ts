/** The queue actions: create, find, list, delete, attributes, tags, purge, and the dead-letter sources of a queue. */
import { invalidParameter, missingParameter, sqsError } from '../../shared/errors';
import { queueArn, queueNameFromArn } from '../../shared/names';
import { isKnownAttributeName, parseRedrivePolicy, validateQueueAttributes } from '../../queue/queue-attributes';
import { validateQueueName } from '../message-input';
import { intParam, stringList, stringMap, stringParam } from '../params';
import { type ActionContext, type Handler, type Input, queueStub, registry, requireQueue, targetQueue, urlOf } from './context';

export const queueActions: Record<string, Handler> = {
  async CreateQueue(ctx, input) {
    const name = stringParam(input, 'QueueName', true);
    const given = stringMap(input, 'Attributes') ?? {};
    const fifo = given.FifoQueue?.toLowerCase() === 'true';
    // A FIFO queue's name must end in .fifo, a standard queue's cannot (a dot is not allowed there).
    validateQueueName(name, fifo);
    const attributes = validateQueueAttributes(given, fifo, true);
    const tags = stringMap(input, 'tags', 'Tags') ?? {};
    await checkDeadLetterTarget(ctx, name, fifo, given.RedrivePolicy, attributes.RedrivePolicy);
    const stub = queueStub(ctx, name);
    const { created, createdAt, redrivePolicy } = await stub.create(name, attributes, tags, Date.now());
    // The link follows the queue's stored policy: a CreateQueue without attributes on an existing queue keeps it.
    const deadLetterQueue = deadLetterQueueOf({ RedrivePolicy: redrivePolicy ?? '' });
    if (!created) await registry(ctx).upsertQueue(name, createdAt, deadLetterQueue);
    else {
      // A queue created again gets the mapping its name had at once, not at the next sync (issue 10, point 4).
      const mapping = await registry(ctx).queueCreated(name, createdAt, deadLetterQueue);
      if (mapping) await stub.setMapping(mapping);
    }
    return { QueueUrl: urlOf(ctx, name) };
  },

  async GetQueueUrl(ctx, input) {
    const name = stringParam(input, 'QueueName', true);
    await requireQueue(ctx, name);
    return { QueueUrl: urlOf(ctx, name) };
  },

  async ListQueues(ctx, input) {
    const prefix = stringParam(input, 'QueueNamePrefix') ?? '';
    return listPage(ctx, input, 'QueueUrls', (limit, after) => registry(ctx).listQueues(prefix, limit, after));
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
      await requireQueue(ctx, name);
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
    await checkDeadLetterTarget(ctx, name, name.endsWith('.fifo'), given.RedrivePolicy, attributes.RedrivePolicy);
    const stub = queueStub(ctx, name);
    await stub.setAttributes(attributes, Date.now());
    if ('RedrivePolicy' in attributes) {
      const { CreatedTimestamp } = await stub.getAttributes(['CreatedTimestamp']);
      await registry(ctx).upsertQueue(name, Number(CreatedTimestamp) * 1000, deadLetterQueueOf(attributes));
    }
    return undefined;
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
    await requireQueue(ctx, name);
    // AWS spells this result's list in lower camel case.
    return listPage(ctx, input, 'queueUrls', (limit, after) => registry(ctx).deadLetterSources(name, limit, after));
  },
};

/**
 * AWS refuses a RedrivePolicy whose target does not exist or is of the other queue type, with InvalidParameterValue
 * and these reasons (as AWS words them, e.g. serverless/serverless#5215, awslabs/aws-solutions-constructs#342). The
 * queue itself as its own target is refused too: every move would land where it started and loop forever.
 * `raw` is the value as given (AWS quotes it), `policy` the validated one.
 */
async function checkDeadLetterTarget(ctx: ActionContext, name: string, fifo: boolean, raw: string | undefined, policy: string | undefined) {
  const redrive = parseRedrivePolicy(policy);
  if (!redrive) return;
  const invalid = (reason: string) => invalidParameter(`Value ${raw} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  const target = queueNameFromArn(redrive.deadLetterTargetArn);
  // An ARN of another account or region names no queue here.
  if (redrive.deadLetterTargetArn !== queueArn(ctx.env, target)) throw invalid('Dead letter target does not exist.');
  if (target === name) throw invalid('Dead-letter target cannot be the source queue itself.');
  if (!(await queueStub(ctx, target).exists())) throw invalid('Dead letter target does not exist.');
  if (target.endsWith('.fifo') !== fifo) throw invalid('Dead-letter queue must be same type of queue as the source.');
}

/** The queue a RedrivePolicy sends failed messages to, for the registry's dead-letter index. */
function deadLetterQueueOf(attributes: Record<string, string>): string | null {
  const redrive = parseRedrivePolicy(attributes.RedrivePolicy);
  return redrive ? queueNameFromArn(redrive.deadLetterTargetArn) : null;
}

/**
 * One page of queue URLs. Without MaxResults every name comes back and no NextToken; with it, one name more than asked
 * is fetched to learn whether a next page exists.
 */
async function listPage(
  ctx: ActionContext,
  input: Input,
  key: 'QueueUrls' | 'queueUrls',
  fetchNames: (limit: number, after: string | undefined) => Promise<string[]>,
): Promise<Record<string, unknown>> {
  const maxResults = intParam(input, 'MaxResults', 1, 1000);
  const names = await fetchNames((maxResults ?? 1000) + 1, decodeToken(input.NextToken));
  const page = names.slice(0, maxResults ?? 1000);
  const result: Record<string, unknown> = { [key]: page.map((n) => urlOf(ctx, n)) };
  if (maxResults !== undefined && names.length > page.length) result.NextToken = encodeToken(page[page.length - 1]);
  return result;
}

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
