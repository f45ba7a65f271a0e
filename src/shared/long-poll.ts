/**
 * The wire of a parked long poll, between the Worker (protocol/long-poll.ts) and a queue object (queue/long-poll.ts).
 *
 * A ReceiveMessage that may wait is one `fetch` to the queue object with `Upgrade: websocket` and the receive options
 * in a header. The object answers at once with a JSON frame when it can (messages found, no wait, an error), else it
 * accepts a hibernatable WebSocket and the wait is parked in the stateless Worker while the object hibernates:
 * https://developers.cloudflare.com/durable-objects/best-practices/websockets/ (Hibernation WebSocket API). Frames
 * from the object to the Worker are JSON text; the one frame the other way is `RETRY`.
 */
import type { ReceivedMessage } from './messages';
import type { RpcSqsError } from './rpc';

/** The request header carrying the receive options (JSON). */
export const RECEIVE_OPTIONS_HEADER = 'x-sqsflare-receive';
/** The Worker's frame: "look again now" (a delayed or in-flight message the object announced is due). */
export const RETRY = 'retry';
/** How long the Worker waits for the object's close after its own, taking any messages that cross it. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * What the object says. `messages` / `error`: the answer (the object closes the socket after it). `closeIn`: the
 * poll's own deadline, ms from now (sent once, at the start). `retryIn`: a message becomes receivable in that many ms:
 * the Worker sends RETRY then, so the object sets no timer and no alarm for it and hibernates meanwhile.
 */
export type PollFrame = { messages: ReceivedMessage[] } | RpcSqsError | { closeIn?: number; retryIn?: number };

export const pollFrame = (frame: PollFrame) => JSON.stringify(frame);
