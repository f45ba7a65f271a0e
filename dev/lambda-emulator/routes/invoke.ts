/** Invoke (POST /2015-03-31/functions/{name}/invocations): signature, then any injected fault, then the handler. */
import { randomUUID } from 'node:crypto';
import { type EmulatorRequest, errorMessage, HttpError, headerValue, parseJson, sendFunctionError, sendJson } from '../http';
import { type EmulatorState, findFunction, functionArn, nameOf, recordInvocation } from '../state';
import type { EmulatedFunction, Fault, InvocationRecord } from '../types';
import type { Route } from './route';

/** Records this invocation with the outcome it came to; the record, so a later outcome can replace it. */
type RecordOutcome = (outcome: InvocationRecord['outcome']) => InvocationRecord;
type InvocationType = NonNullable<InvocationRecord['invocationType']>;

/** Lambda's asynchronous payload limit since late 2025 (256 KB, 262,144 bytes, before). */
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

export const invokeRoute: Route = {
  method: 'POST',
  path: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/,
  kind: 'invoke',
  handle: invoke,
};

async function invoke(state: EmulatorState, request: EmulatorRequest, match: RegExpExecArray): Promise<void> {
  const identifier = decodeURIComponent(match[1]);
  const receivedAt = Date.now();
  const event = parseJson(request.body);
  const fn = findFunction(state, identifier);
  const verdict = await state.verifySignature(request);
  const functionName = fn?.name ?? nameOf(identifier);
  const invocationType = (headerValue(request.req, 'x-amz-invocation-type') ?? 'RequestResponse') as InvocationType;
  const base = { functionName, receivedAt, event, invocationType };
  if (!verdict.valid) {
    recordInvocation(state, { ...base, signatureValid: false, outcome: 'rejected' });
    state.log(`[lambda] ${new Date(receivedAt).toISOString()} ${functionName} rejected: ${verdict.message}`);
    throw new HttpError(403, 'InvalidSignatureException', verdict.message);
  }
  if (!fn) {
    recordInvocation(state, { ...base, signatureValid: true, outcome: 'rejected' });
    throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(state, functionName)}`);
  }
  const record: RecordOutcome = (outcome) => {
    const entry: InvocationRecord = { ...base, functionName: fn.name, signatureValid: true, outcome };
    recordInvocation(state, entry);
    return entry;
  };
  const limit = fn.asyncPayloadLimit ?? ASYNC_PAYLOAD_LIMIT;
  if (invocationType === 'Event' && request.body.length > limit) {
    // Lambda checks the size before anything runs, and says it in these words.
    record('too-large');
    state.log(`[lambda] ${new Date(receivedAt).toISOString()} ${fn.name} refused: ${request.body.length} byte Event payload (limit ${limit})`);
    throw new HttpError(413, 'RequestEntityTooLargeException', `${request.body.length} byte payload is too large for the Event invocation type (limit ${limit} bytes)`);
  }
  state.log(`[lambda] ${new Date(receivedAt).toISOString()} ${fn.name}${invocationType === 'Event' ? ' (Event)' : ''} ${describeEvent(event)}`);
  const fault = takeFault(state, fn.name);
  if (fault) {
    answerFault(state, request, fn, fault, invocationType, record);
    return;
  }
  await run(state, request, fn, event, record, invocationType);
}

function takeFault(state: EmulatorState, functionName: string): Fault | null {
  const entry = state.faults.get(functionName);
  if (!entry) return null;
  if (--entry.remaining <= 0) state.faults.delete(functionName);
  return entry.fault;
}

/**
 * Answers (or pointedly does not answer) the way Lambda does when that fault happens. Throttles, 500s, dropped and
 * hung connections happen before an Event invocation is accepted, so they answer it the same way; a function error
 * happens only when the function runs, after the 202, so an Event invocation is accepted and fails afterwards.
 */
function answerFault(state: EmulatorState, { req, res }: EmulatorRequest, fn: EmulatedFunction, fault: Fault, type: InvocationType, record: RecordOutcome): void {
  record(fault);
  switch (fault) {
    case 'throttle':
      throw new HttpError(429, 'TooManyRequestsException', 'Rate Exceeded.');
    case 'fail-500':
      throw new HttpError(500, 'ServiceException', 'Lambda encountered an internal error (injected).');
    case 'drop':
      req.socket.destroy();
      return;
    case 'hang':
      // No answer at all; close() ends the connection.
      return;
    case 'error':
      if (type !== 'Event') {
        sendFunctionError(res, new Error(`Injected error in ${fn.name}`));
        return;
      }
      res.writeHead(202, { 'Content-Length': '0' }).end();
      state.log(`[lambda] ${fn.name} failed after the hand-off: Injected error in ${fn.name} (Lambda would retry it, then its on-failure destination)`);
      return;
  }
}

/**
 * Runs the handler as X-Amz-Invocation-Type asks: not at all (DryRun), after answering (Event), or for the answer.
 * A synchronous call with X-Amz-Log-Type: Tail gets X-Amz-Log-Result, base64 of its START/END/REPORT lines.
 */
async function run(state: EmulatorState, { req, res }: EmulatorRequest, fn: EmulatedFunction, event: unknown, record: RecordOutcome, invocationType: InvocationType): Promise<void> {
  if (invocationType === 'DryRun') {
    record('ok');
    res.writeHead(204).end();
    return;
  }
  const awsRequestId = randomUUID();
  const clientContext = decodeClientContext(headerValue(req, 'x-amz-client-context'));
  const instance = enterInstance(state, fn.name);
  const started = performance.now();
  const running = Promise.resolve()
    .then(() => fn.handler(event, { functionName: fn.name, awsRequestId, ...(clientContext !== undefined ? { clientContext } : {}) }))
    .finally(() => instance.leave());
  const tail = (): Record<string, string> =>
    headerValue(req, 'x-amz-log-type') === 'Tail' ? { 'X-Amz-Log-Result': logTail(fn, awsRequestId, performance.now() - started, instance.cold) } : {};
  if (invocationType === 'Event') {
    // Asynchronous invocation: Lambda accepts it at once (202) and runs the function afterwards.
    const entry = record('ok');
    res.writeHead(202, { 'Content-Length': '0' }).end();
    running.then(
      () => void (entry.finishedAt = Date.now()),
      (error) => {
        Object.assign(entry, { outcome: 'handler-error', finishedAt: Date.now() });
        state.log(`[lambda] ${fn.name} failed after the hand-off: ${errorMessage(error)}`);
      },
    );
    return;
  }
  try {
    const result = await running;
    record('ok').finishedAt = Date.now();
    sendJson(res, 200, result ?? null, { 'X-Amz-Executed-Version': '$LATEST', ...tail() });
  } catch (error) {
    state.log(`[lambda] ${fn.name} failed: ${errorMessage(error)}`);
    record('handler-error').finishedAt = Date.now();
    sendFunctionError(res, error, tail());
  }
}

/**
 * Execution environments as Lambda keeps them: one per concurrent invocation at the peak so far. An invocation that
 * finds every existing environment busy starts a new one, a cold start; so the first invocation of each handler is
 * cold, and so are n invocations at once beyond the environments already there.
 */
function enterInstance(state: EmulatorState, name: string): { cold: boolean; leave: () => void } {
  const pool = state.instances.get(name) ?? { total: 0, busy: 0 };
  state.instances.set(name, pool);
  pool.busy++;
  const cold = pool.busy > pool.total;
  if (cold) pool.total = pool.busy;
  return { cold, leave: () => void pool.busy-- };
}

/**
 * The log tail Lambda returns (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html): START, END and the
 * REPORT line, tab-separated fields, Init Duration only on a cold start; base64, at most the last 4 KB.
 */
function logTail(fn: EmulatedFunction, requestId: string, durationMs: number, cold: boolean): string {
  const memory = fn.memorySize ?? 128;
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(durationMs))} ms`,
    `Memory Size: ${memory} MB`,
    `Max Memory Used: ${Math.min(memory, 64)} MB`,
    ...(cold ? [`Init Duration: ${(fn.initDurationMs ?? 180.25).toFixed(2)} ms`] : []),
  ];
  const log = `START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\n${fields.join('\t')}\t\n`;
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString('base64');
}

/** X-Amz-Client-Context: base64 JSON, handed to the handler as context.clientContext. */
function decodeClientContext(header: string | undefined): unknown {
  if (!header) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw new HttpError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
  }
}

/** One line for the log: how many SQS records, and their bodies cut short. */
function describeEvent(event: unknown): string {
  const records = (event as { Records?: { body?: unknown }[] } | null)?.Records;
  if (!Array.isArray(records)) return `event: ${truncate(JSON.stringify(event) ?? '', 120)}`;
  const bodies = records.map((record) => truncate(String(record.body ?? ''), 40)).join(' | ');
  return `${records.length} record(s): ${truncate(bodies, 200)}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
