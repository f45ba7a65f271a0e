/**
 * A local stand-in for the AWS Lambda API, for `npm run dev`, the end-to-end tests and the benchmarks.
 *
 * It answers the calls sqsflare makes (Invoke, ListFunctions, ListEventSourceMappings, ListFunctionUrlConfigs, and API
 * Gateway's read calls for HTTP and REST APIs built over the functions) and serves function URLs, running in-process
 * handlers. Every API call must carry a valid SigV4 signature (signature.ts),
 * so a signing bug in the worker fails here the way it would against AWS.
 *
 * Layout: router.ts lists the routes (routes/*.ts, one file per family of endpoints); they share one EmulatorState
 * (state.ts), which the handle returned here exposes to tests. Nothing here is bundled into the Worker.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestListener } from './router';
import { createState, type EmulatorState } from './state';
import type { Fault, InvocationRecord, LambdaEmulator, LambdaEmulatorOptions, RequestKind } from './types';

export type {
  EmulatedFunction,
  EmulatedHttpApi,
  EmulatedMapping,
  EmulatedRestApi,
  Fault,
  InvocationRecord,
  LambdaEmulator,
  LambdaEmulatorOptions,
  PingRecord,
  RequestKind,
} from './types';

export async function startLambdaEmulator(options: LambdaEmulatorOptions): Promise<LambdaEmulator> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const state = createState(options, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  // Attached right after listen resolves, before the event loop can deliver a first request.
  server.on('request', createRequestListener(state));
  return handle(state, server);
}

/** The handle tests hold: the state's exposed fields (the same object, see ExposedFields) plus its controls. */
function handle(state: EmulatorState, server: Server): LambdaEmulator {
  return Object.assign(state.exposed, {
    setFault(functionName: string, fault: Fault | null, times?: number) {
      if (fault === null) state.faults.delete(functionName);
      else state.faults.set(functionName, { fault, remaining: times ?? Number.POSITIVE_INFINITY });
    },
    setApiFailure(status: number | null) {
      state.apiFailure = status;
    },
    setApiGatewayPermission(allowed: boolean) {
      state.apiGatewayAllowed = allowed;
    },
    requestsOfKind: (kind: RequestKind) => state.requestCounts[kind],
    waitForInvocations: (n: number, timeoutMs?: number) => waitForInvocations(state, n, timeoutMs),
    close() {
      // Hung invocations keep their sockets open; end them so close() does not wait forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  });
}

function waitForInvocations(state: EmulatorState, n: number, timeoutMs = 10_000): Promise<InvocationRecord[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (state.exposed.invocations.length < n) return;
      cleanup();
      resolve(state.exposed.invocations.slice());
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`expected ${n} invocation(s) within ${timeoutMs} ms, got ${state.exposed.invocations.length}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      state.invocationWaiters.delete(check);
    };
    state.invocationWaiters.add(check);
    check();
  });
}
