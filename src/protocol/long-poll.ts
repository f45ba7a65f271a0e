/**
 * The Worker's half of a long poll (the queue object's half, and why, is in queue/long-poll.ts; the wire in
 * shared/long-poll.ts). One `fetch` to the queue object with `Upgrade: websocket`: the object answers at once when it
 * can, else hands back a hibernatable WebSocket and hibernates, and the wait is parked here, in the stateless Worker,
 * whose waiting costs no Durable Object duration. The object pushes the messages when a send can satisfy this poll;
 * a message it announced as due later (`retryIn`) is asked for again by this Worker's timer (one incoming WebSocket
 * message, billed 1/20 of a request: https://developers.cloudflare.com/durable-objects/platform/pricing/).
 *
 * At the deadline the Worker closes its end and reads on until the object's close (at most CLOSE_GRACE_MS): messages
 * the object pushed before it saw the close are delivered, not dropped.
 */
import type { Env } from '../env';
import { CLOSE_GRACE_MS, type PollFrame, RECEIVE_OPTIONS_HEADER, RETRY } from '../shared/long-poll';
import type { ReceivedMessage } from '../shared/messages';
import { unwrapRpcResult } from '../shared/rpc';
import { MAX_WAIT_SECONDS } from '../shared/sqs-limits';
import { countSubrequest } from '../shared/usage';

export interface WaitingReceive {
  maxMessages: number;
  visibilityTimeout?: number;
  /** undefined: the queue's ReceiveMessageWaitTimeSeconds */
  waitTimeSeconds?: number;
}

/** ReceiveMessage that may wait: one DO request for the whole poll (the WebSocket upgrade). */
export async function receiveWaiting(env: Env, queueName: string, options: WaitingReceive): Promise<ReceivedMessage[]> {
  countSubrequest();
  const response = await env.QUEUE.getByName(queueName).fetch('https://queue.internal/receive', {
    headers: { Upgrade: 'websocket', [RECEIVE_OPTIONS_HEADER]: JSON.stringify(options) },
  });
  const socket = response.webSocket;
  if (!socket) return answerOf((await response.json()) as PollFrame);
  socket.accept();
  return parked(socket, (options.waitTimeSeconds ?? MAX_WAIT_SECONDS) * 1000);
}

/** The frame that ends a poll: its messages, or the SqsError it carries thrown again. */
function answerOf(frame: PollFrame): ReceivedMessage[] {
  const value = unwrapRpcResult(frame) as { messages?: ReceivedMessage[] };
  return value.messages ?? [];
}

/** Waits on the socket for the object's answer, its own deadline, or the object going away. */
function parked(socket: WebSocket, maxWaitMs: number): Promise<ReceivedMessage[]> {
  return new Promise((resolve, reject) => {
    const timers: { retry?: ReturnType<typeof setTimeout>; deadline?: ReturnType<typeof setTimeout>; grace?: ReturnType<typeof setTimeout> } = {};
    let done = false;
    const finish = (answer: () => ReceivedMessage[]) => {
      if (done) return;
      done = true;
      for (const timer of Object.values(timers)) clearTimeout(timer);
      quietly(() => socket.close(1000, 'done'));
      try {
        resolve(answer());
      } catch (error) {
        reject(error);
      }
    };
    const giveUp = () => {
      clearTimeout(timers.retry);
      quietly(() => socket.close(1000, 'waited'));
      timers.grace = setTimeout(() => finish(() => []), CLOSE_GRACE_MS);
    };
    // Until the object's `closeIn` sets the real one.
    timers.deadline = setTimeout(giveUp, maxWaitMs);
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as PollFrame;
      if (!('closeIn' in frame) && !('retryIn' in frame)) return finish(() => answerOf(frame));
      if (frame.closeIn !== undefined) {
        clearTimeout(timers.deadline);
        timers.deadline = setTimeout(giveUp, frame.closeIn);
      }
      if (frame.retryIn !== undefined) {
        clearTimeout(timers.retry);
        timers.retry = setTimeout(() => quietly(() => socket.send(RETRY)), frame.retryIn);
      }
    });
    socket.addEventListener('close', () => finish(() => []));
    socket.addEventListener('error', () => finish(() => []));
  });
}

function quietly(work: () => void): void {
  try {
    work();
  } catch {
    // the socket is already closed
  }
}
