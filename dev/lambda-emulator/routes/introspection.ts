/** Dev-only introspection for `npm run demo` and tests in other processes: what ran, when, with which bodies. */
import { sendJson } from '../http';
import type { Route } from './route';

export const invocationsRoute: Route = {
  method: 'GET',
  path: /^\/_emulator\/invocations$/,
  handle(state, { res }) {
    sendJson(
      res,
      200,
      state.exposed.invocations.map((r) => ({
        functionName: r.functionName,
        receivedAt: r.receivedAt,
        outcome: r.outcome,
        invocationType: r.invocationType,
        finishedAt: r.finishedAt ?? null,
        signatureValid: r.signatureValid,
        bodies: Array.isArray(r.event?.Records) ? r.event.Records.map((record: { body?: string }) => record.body) : [],
      })),
    );
  },
};
