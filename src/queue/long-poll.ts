/**
 * Long polls parked in the Worker, so the queue object hibernates while a consumer waits (issue 12).
 *
 * A waiting ReceiveMessage used to wait inside this object, which kept it active — and billed for duration — for the
 * whole wait: one consumer long-polling an idle queue around the clock was ~86,400 active seconds a day. Now the Worker
 * opens a WebSocket to the object and the object accepts it with the Hibernation API (`ctx.acceptWebSocket`, the
 * poll's options in `serializeAttachment`), sets no timer, and returns: an object that only holds hibernatable
 * WebSockets is not billed for duration, even before the runtime evicts it
 * (https://developers.cloudflare.com/durable-objects/platform/pricing/ "Compute billing";
 * https://developers.cloudflare.com/durable-objects/best-practices/websockets/). The wire is in shared/long-poll.ts.
 *
 * The object answers a parked poll itself when it can satisfy it: a send (or a move-in, a FIFO delete, a settled
 * delivery) picks as many parked polls as it has messages for, longest-waiting first (issue 10 point 11, as
 * waiters.ts does for polls inside the object), receives for each, pushes the messages with their receipt handles,
 * and closes. A message that becomes receivable later (a delay, a visibility timeout) is announced to the poll as
 * `retryIn`: the Worker's own timer asks again then (one incoming message, 1/20 of a request) — no alarm (a billed
 * row write) and no timer here (a pending timer keeps an object from hibernating).
 *
 * At its deadline the Worker closes its end and keeps reading until the object's close: messages the object pushed
 * before it saw the close still reach the client. Messages pushed to a Worker that died meanwhile (the client hung up)
 * are received but never delivered: they become visible again after their visibility timeout, SQS's at-least-once
 * behaviour for a receive whose answer was lost.
 */
import type { ReceivedMessage } from '../shared/messages';
import { pollFrame, RECEIVE_OPTIONS_HEADER, RETRY, type PollFrame } from '../shared/long-poll';
import { sqsError } from '../shared/errors';
import { rpcErrorValue } from '../shared/rpc';
import type { UsageMeter } from '../shared/usage';
import type { ReceiveOptions } from './receive';

/** What the queue object lends its parked polls. */
export interface PollHost {
  /** the poll's wait in seconds (its own, else the queue's ReceiveMessageWaitTimeSeconds); throws when no queue */
  waitSeconds(options: ReceiveOptions): number;
  /** one receive, as ReceiveMessage's look at the queue */
  receive(options: ReceiveOptions, now: number): Promise<ReceivedMessage[]>;
  /** when the next message that is not receivable now becomes so, if any */
  nextVisibleAt(now: number): number | null;
  meter(): UsageMeter;
}

/** A parked poll, as its socket's attachment (it survives hibernation; the object's memory does not). */
interface Parked {
  options: ReceiveOptions;
  /** when it was parked: the longest-waiting is answered first */
  since: number;
  deadline: number;
  /** when the Worker asks again by itself: the deadline, or the retry it was told */
  until: number;
}

const TAG = 'long-poll';
const OPEN = 1; // WebSocket.READY_STATE_OPEN

export class ParkedPolls {
  /** sockets being answered now (memory only: a hibernated object has none) */
  readonly #busy = new Set<WebSocket>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly host: PollHost,
  ) {}

  get size(): number {
    return this.ctx.getWebSockets(TAG).length;
  }

  /** The Worker's ReceiveMessage: answered at once when it can be, else parked on a hibernatable WebSocket. */
  async open(request: Request): Promise<Response> {
    const options = JSON.parse(request.headers.get(RECEIVE_OPTIONS_HEADER) ?? '{}') as ReceiveOptions;
    try {
      const waitSeconds = this.host.waitSeconds(options);
      const now = Date.now();
      const messages = await this.host.receive(options, now);
      if (messages.length > 0 || waitSeconds <= 0 || request.headers.get('Upgrade') !== 'websocket') return answer({ messages });
      const [client, server] = Object.values(new WebSocketPair());
      // https://developers.cloudflare.com/durable-objects/api/websockets/ (acceptWebSocket, serializeAttachment)
      this.ctx.acceptWebSocket(server, [TAG]);
      const parked: Parked = { options, since: now, deadline: now + waitSeconds * 1000, until: now + waitSeconds * 1000 };
      server.send(pollFrame({ closeIn: parked.deadline - now }));
      this.#announce(server, parked, this.host.nextVisibleAt(now), now);
      return new Response(null, { status: 101, webSocket: client });
    } catch (error) {
      return answer(errorFrame(error));
    }
  }

  /** `count` messages become receivable at `at`: that many parked polls that would not ask by then are answered. */
  notify(count: number, at: number): number {
    const now = Date.now();
    let left = count;
    for (const { ws, parked } of this.#waiting()) {
      if (left <= 0) break;
      if (parked.until <= at) continue;
      left--;
      if (at <= now) this.#answerInBackground(ws, parked);
      else this.#announce(ws, parked, at, now);
    }
    return count - left;
  }

  /** Every parked poll looks again: the queue was deleted (they answer QueueDoesNotExist), or a delivery settled. */
  wakeAll(): void {
    for (const { ws, parked } of this.#waiting()) this.#answerInBackground(ws, parked);
  }

  /** An incoming frame (webSocketMessage): RETRY, the Worker's timer for a message announced as due. */
  async message(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const parked = ws.deserializeAttachment() as Parked | null;
    if (data !== RETRY || !parked || this.#busy.has(ws)) return;
    await this.#answer(ws, parked);
  }

  /** The Worker closed its end (its wait is over) or went away (webSocketClose): close ours; nothing is pending. */
  closed(ws: WebSocket): void {
    try {
      ws.close(1000, 'closed');
    } catch {
      // already closed (the runtime may reply to a close by itself)
    }
  }

  /** Parked polls that are not being answered, longest-waiting first. */
  #waiting(): { ws: WebSocket; parked: Parked }[] {
    return this.ctx
      .getWebSockets(TAG)
      .filter((ws) => ws.readyState === OPEN && !this.#busy.has(ws))
      .map((ws) => ({ ws, parked: ws.deserializeAttachment() as Parked }))
      .filter(({ parked }) => parked !== null)
      .sort((a, b) => a.parked.since - b.parked.since);
  }

  /** Tells the Worker to ask again at `at` when that is before it would anyway. */
  #announce(ws: WebSocket, parked: Parked, at: number | null, now: number): void {
    if (at !== null && at < parked.until) {
      parked.until = at;
      ws.send(pollFrame({ retryIn: Math.max(0, at - now) }));
    }
    ws.serializeAttachment(parked);
  }

  /**
   * Answers within the call that woke it (a send, a delete, an alarm run): that call is already a billed request, so
   * this counts its active time and no request. `waitUntil` keeps the object alive until it is done.
   */
  #answerInBackground(ws: WebSocket, parked: Parked): void {
    const meter = this.host.meter();
    const invocation = meter.begin('receives', false, 0);
    this.#busy.add(ws);
    this.ctx.waitUntil(this.#answer(ws, parked).finally(() => meter.end(invocation)));
  }

  /** Receives for one parked poll: pushes what it got and closes; found nothing: keeps it parked, told of the next due. */
  async #answer(ws: WebSocket, parked: Parked): Promise<void> {
    this.#busy.add(ws);
    try {
      // A socket the Worker closed gets nothing: its messages would be received for no one.
      if (ws.readyState !== OPEN) return;
      const now = Date.now();
      const messages = await this.host.receive(parked.options, now);
      if (messages.length > 0) return finish(ws, { messages });
      parked.until = parked.deadline;
      this.#announce(ws, parked, this.host.nextVisibleAt(now), now);
    } catch (error) {
      finish(ws, errorFrame(error));
    } finally {
      this.#busy.delete(ws);
    }
  }
}

const answer = (frame: PollFrame) => new Response(pollFrame(frame), { headers: { 'content-type': 'application/json' } });

/** An SqsError as RPC carries it; any other error is logged and answered InternalError (a 500 to the client). */
function errorFrame(error: unknown): PollFrame {
  try {
    return rpcErrorValue(error);
  } catch {
    console.error('sqsflare: long poll failed', error);
    return rpcErrorValue(sqsError('InternalError', 'We encountered an internal error. Please try again.'));
  }
}

function finish(ws: WebSocket, frame: PollFrame): void {
  try {
    ws.send(pollFrame(frame));
    ws.close(1000, 'answered');
  } catch {
    // The Worker is gone: received messages become visible again after their visibility timeout (at-least-once).
  }
}
