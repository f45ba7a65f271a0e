/** A fake Lambda Invoke endpoint behind a spied globalThis.fetch: every call is recorded, `respond` decides each answer. */
import { vi } from 'vitest';

export interface Invocation {
  url: string;
  headers: Record<string, string>;
  event: { Records: any[] };
}

/** Replaces fetch with a fake Lambda; `respond` decides each answer. */
export function fakeLambda(respond: (call: Invocation, n: number) => Response | Promise<Response>) {
  const calls: Invocation[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    // Copy the request's fields here: the Request belongs to the Durable Object's I/O context.
    const request = new Request(input as RequestInfo, init);
    if (!request.url.startsWith('http://lambda.test/')) return realFetch(request);
    const call = { url: request.url, headers: Object.fromEntries(request.headers), event: JSON.parse(await request.text()) };
    calls.push(call);
    return respond(call, calls.length);
  });
  return calls;
}

export const ok = (body: unknown = null) => new Response(JSON.stringify(body), { status: 200 });
