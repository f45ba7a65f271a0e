/** The message move task actions: redrive a dead-letter queue's messages back to their sources (or to one queue). */
import { invalidParameter, sqsError } from '../../shared/errors';
import { queueArn, queueNameFromArn } from '../../shared/names';
import { intParam, stringParam } from '../params';
import { type Handler, queueStub, registry, requireQueue } from './context';

const notFound = (message: string) => () => sqsError('ResourceNotFoundException', message);

export const moveTaskActions: Record<string, Handler> = {
  async StartMessageMoveTask(ctx, input) {
    const sourceArn = stringParam(input, 'SourceArn', true);
    const destinationArn = stringParam(input, 'DestinationArn');
    const rate = intParam(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
    const source = queueNameFromArn(sourceArn);
    if (destinationArn) await requireQueue(ctx, queueNameFromArn(destinationArn), notFound('The destination queue does not exist.'));
    await requireQueue(ctx, source, notFound('The source queue does not exist.'));
    const sources = await registry(ctx).deadLetterSources(source, 1);
    if (sources.length === 0) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    const handle = await queueStub(ctx, source).startMoveTask(queueArn(ctx.env, source), destinationArn, rate);
    return { TaskHandle: handle };
  },

  async ListMessageMoveTasks(ctx, input) {
    const sourceArn = stringParam(input, 'SourceArn', true);
    const maxResults = intParam(input, 'MaxResults', 1, 10) ?? 1;
    const source = queueNameFromArn(sourceArn);
    await requireQueue(ctx, source, notFound('The source queue does not exist.'));
    const tasks = await queueStub(ctx, source).listMoveTasks(maxResults);
    return {
      // Only a running task shows its handle (it is what CancelMessageMoveTask takes).
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
