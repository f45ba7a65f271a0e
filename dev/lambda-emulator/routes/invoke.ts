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

/** Runs the handler as X-Amz-Invocation-Type asks: not at all (DryRun), after answering (Event), or for the answer. */
async function run(state: EmulatorState, { req, res }: EmulatorRequest, fn: EmulatedFunction, event: unknown, record: RecordOutcome): Promise<void> {
  const invocationType = headerValue(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (invocationType === 'DryRun') {
    record('ok');
    res.writeHead(204).end();
    return;
  }
  const running = Promise.resolve().then(() => fn.handler(event, { functionName: fn.name, awsRequestId: randomUUID() }));
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
    sendJson(res, 200, result ?? null, { 'X-Amz-Executed-Version': '$LATEST' });
  } catch (error) {
    failed(error);
    sendFunctionError(res, error);
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
