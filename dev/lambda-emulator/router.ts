/** Sends each request to the first route that matches its method and path; a new endpoint is one more entry here. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readRequest, sendError } from './http';
import { apiGatewayRoutes } from './routes/api-gateway';
import { functionUrlRoute } from './routes/function-urls';
import { invocationsRoute } from './routes/introspection';
import { invokeRoute } from './routes/invoke';
import { listFunctionsRoute, listMappingsRoute, listUrlConfigsRoute } from './routes/list';
import type { Route } from './routes/route';
import type { EmulatorState } from './state';

const routes: Route[] = [
  // The Lambda API, as sqsflare calls it.
  invokeRoute,
  listFunctionsRoute,
  listMappingsRoute,
  listUrlConfigsRoute,
  invocationsRoute,
  // API Gateway (v2 /v2/apis…, v1 /restapis…), read-only.
  ...apiGatewayRoutes,
  // Function URLs, served under /fn/{name}/ on the same port.
  functionUrlRoute,
];

export function createRequestListener(state: EmulatorState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    dispatch(state, req, res).catch((error: unknown) => sendError(res, error, state.log));
  };
}

async function dispatch(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await readRequest(req, res);
  for (const route of routes) {
    if (route.method && route.method !== request.method) continue;
    const match = route.path.exec(request.rawPath);
    if (!match) continue;
    if (route.kind) state.requestCounts[route.kind]++;
    return route.handle(state, request, match);
  }
  throw new HttpError(404, 'ResourceNotFoundException', `No route for ${request.method} ${request.rawPath}`);
}
