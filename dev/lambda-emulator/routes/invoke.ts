/** Invoke (POST /2015-03-31/functions/{name}/invocations): signature, then any injected fault, then the handler. */
import { randomUUID } from 'node:crypto';
import { type EmulatorRequest, errorMessage, HttpError, headerValue, parseJson, sendFunctionError, sendJson } from '../http';
import { type EmulatorState, findFunction, functionArn, nameOf, recordInvocation } from '../state';
import type { EmulatedFunction, Fault, InvocationRecord } from '../types';
import type { Route } from './route';

/** Records this invocation with the outcome it came to. */
type RecordOutcome = (outcome: InvocationRecord['outcome']) => void;

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
  if (!verdict.valid) {
    recordInvocation(state, { functionName, receivedAt, event, signatureValid: false, outcome: 'rejected' });
    state.log(`[lambda] ${new Date(receivedAt).toISOString()} ${functionName} rejected: ${verdict.message}`);
    throw new HttpError(403, 'InvalidSignatureException', verdict.message);
  }
  if (!fn) {
    recordInvocation(state, { functionName, receivedAt, event, signatureValid: true, outcome: 'rejected' });
    throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(state, functionName)}`);
  }
  state.log(`[lambda] ${new Date(receivedAt).toISOString()} ${fn.name} ${describeEvent(event)}`);
  const record: RecordOutcome = (outcome) => recordInvocation(state, { functionName: fn.name, receivedAt, event, signatureValid: true, outcome });
  const fault = takeFault(state, fn.name);
  if (fault) {
    record(fault);
    answerFault(request, fn, fault);
    return;
  }
  await run(state, request, fn, event, record);
}

function takeFault(state: EmulatorState, functionName: string): Fault | null {
  const entry = state.faults.get(functionName);
  if (!entry) return null;
  if (--entry.remaining <= 0) state.faults.delete(functionName);
  return entry.fault;
}

/** Answers (or pointedly does not answer) the way Lambda does when that fault happens. */
function answerFault({ req, res }: EmulatorRequest, fn: EmulatedFunction, fault: Fault): void {
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
      sendFunctionError(res, new Error(`Injected error in ${fn.name}`));
      return;
  }
}

/**
 * Runs the handler as X-Amz-Invocation-Type asks: not at all (DryRun), after answering (Event), or for the answer.
 * A synchronous call with X-Amz-Log-Type: Tail gets X-Amz-Log-Result, base64 of its START/END/REPORT lines.
 */
async function run(state: EmulatorState, { req, res }: EmulatorRequest, fn: EmulatedFunction, event: unknown, record: RecordOutcome): Promise<void> {
  const invocationType = headerValue(req, 'x-amz-invocation-type') ?? 'RequestResponse';
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
  const failed = (error: unknown) => {
    state.log(`[lambda] ${fn.name} failed: ${errorMessage(error)}`);
    record('handler-error');
  };
  if (invocationType === 'Event') {
    // Asynchronous invocation: Lambda accepts it at once and runs the function later.
    res.writeHead(202, { 'Content-Length': '0' }).end();
    running.then(() => record('ok'), failed);
    return;
  }
  try {
    const result = await running;
    record('ok');
    sendJson(res, 200, result ?? null, { 'X-Amz-Executed-Version': '$LATEST', ...tail() });
  } catch (error) {
    failed(error);
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
