/**
 * The platform floor: a Worker that answers SendMessageBatch (JSON 1.0) with correct MD5s and
 * stores nothing. sqsflare's own overhead is measured against it on the same wrangler dev.
 */
const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const encoder = new TextEncoder();

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response('floor');
    const target = request.headers.get('x-amz-target') ?? '';
    const input = (await request.json()) as { Entries?: { Id: string; MessageBody: string }[]; MessageBody?: string };
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': crypto.randomUUID() };
    const digest = async (body: string) => hex(await crypto.subtle.digest('MD5', encoder.encode(body)));
    if (target.endsWith('.SendMessageBatch')) {
      const Successful = await Promise.all(
        (input.Entries ?? []).map(async (e) => ({ Id: e.Id, MessageId: crypto.randomUUID(), MD5OfMessageBody: await digest(e.MessageBody) })),
      );
      return new Response(JSON.stringify({ Successful, Failed: [] }), { headers });
    }
    if (target.endsWith('.SendMessage')) {
      return new Response(JSON.stringify({ MessageId: crypto.randomUUID(), MD5OfMessageBody: await digest(input.MessageBody ?? '') }), { headers });
    }
    return new Response(JSON.stringify({}), { headers });
  },
};
