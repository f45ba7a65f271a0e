/**
 * CPU per request for the work sqsflare does on every call — protocol parse, validation, MD5,
 * rendering — measured in Node on the same code the Worker runs (Workers Free allows 10 ms).
 * Run: npx tsx bench/cpu.ts
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setMd5Implementation } from '../src/shared/bytes';
import { prepareMessage } from '../src/protocol/actions/messages';
import { parseCall, renderResult } from '../src/protocol/wire';

setMd5Implementation((data) => createHash('md5').update(data).digest());

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(name: string, iterations: number, work: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(50, iterations); i++) await work(); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`${name.padEnd(46)} mean ${mean.toFixed(3)} ms  p50 ${percentile(times, 50).toFixed(3)} ms  p99 ${percentile(times, 99).toFixed(3)} ms`);
  return { name, mean, p50: percentile(times, 50), p99: percentile(times, 99) };
}

const body512 = 'x'.repeat(480) + '{"n":1,"s":"é✓"}'.padEnd(32, ' ');
const attributes = { kind: { DataType: 'String', StringValue: 'order' }, n: { DataType: 'Number', StringValue: '42' } };

/** What the Worker does with a request whose body it has read: parse, validate, digest, render. */
async function handle([request, text]: [Request, string], protocol: 'query' | 'json') {
  const call = parseCall(request, text, protocol);
  const entries = (call.input.Entries as Record<string, unknown>[] | undefined) ?? [call.input];
  const results = [];
  for (const entry of entries) {
    const m = await prepareMessage(entry, entry.Id as string | undefined);
    results.push({ Id: m.entryId, MessageId: crypto.randomUUID(), MD5OfMessageBody: m.md5OfBody, MD5OfMessageAttributes: m.md5OfMessageAttributes });
  }
  const response = renderResult(protocol, call.action, call.input.Entries ? { Successful: results, Failed: [] } : results[0], 'rid');
  return response.text();
}

/** Request objects are cheap headers-only shells; the body text is built once, outside the timing (the client's work). */
function withBody(url: string, headers: Record<string, string>, body: string): () => [Request, string] {
  return () => [new Request(url, { method: 'POST', headers }, ), body];
}

function queryBatch(): () => [Request, string] {
  const params = new URLSearchParams({ Action: 'SendMessageBatch', Version: '2012-11-05', QueueUrl: 'https://h/000000000000/q' });
  for (let i = 1; i <= 10; i++) {
    params.set(`SendMessageBatchRequestEntry.${i}.Id`, `e${i}`);
    params.set(`SendMessageBatchRequestEntry.${i}.MessageBody`, body512);
    params.set(`SendMessageBatchRequestEntry.${i}.MessageAttribute.1.Name`, 'kind');
    params.set(`SendMessageBatchRequestEntry.${i}.MessageAttribute.1.Value.DataType`, 'String');
    params.set(`SendMessageBatchRequestEntry.${i}.MessageAttribute.1.Value.StringValue`, 'order');
  }
  return withBody('https://h/', { 'content-type': 'application/x-www-form-urlencoded' }, params.toString());
}

function jsonRequest(action: string, input: unknown): () => [Request, string] {
  return withBody('https://h/', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, JSON.stringify(input));
}

const jsonBatch = () =>
  jsonRequest('SendMessageBatch', {
    QueueUrl: 'https://h/000000000000/q',
    Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: body512, MessageAttributes: attributes })),
  });

const mib = 'y'.repeat(1_048_576 - 64);
const mibQuery = withBody(
  'https://h/',
  { 'content-type': 'application/x-www-form-urlencoded' },
  new URLSearchParams({ Action: 'SendMessage', QueueUrl: 'https://h/000000000000/q', MessageBody: mib }).toString(),
);
const mibJson = jsonRequest('SendMessage', { QueueUrl: 'https://h/000000000000/q', MessageBody: mib });

export async function runCpuBench() {
  console.log(`CPU per request (Node ${process.version}, same code as the Worker)`);
  const batchQuery = queryBatch();
  const batchJson = jsonBatch();
  const rows = [
    await measure('SendMessageBatch 10 × 512 B, query/XML', 2000, () => handle(batchQuery(), 'query')),
    await measure('SendMessageBatch 10 × 512 B, JSON', 2000, () => handle(batchJson(), 'json')),
    await measure('SendMessage 1 MiB, query/XML', 100, () => handle(mibQuery(), 'query')),
    await measure('SendMessage 1 MiB, JSON', 100, () => handle(mibJson(), 'json')),
  ];
  // The platform's own share: form and JSON parsing and the MD5 digest are the runtime's, not ours. Node's
  // URLSearchParams is JavaScript; workerd's is native, so the query figure overstates the Worker's CPU.
  const [, mibQueryText] = mibQuery();
  const [, mibJsonText] = mibJson();
  const mibBytes = new TextEncoder().encode(mib);
  const platform = [
    await measure('  platform: URLSearchParams of the 1 MiB form', 100, async () => [...new URLSearchParams(mibQueryText)]),
    await measure('  platform: JSON.parse of the 1 MiB body', 100, async () => JSON.parse(mibJsonText)),
    await measure('  platform: MD5 of 1 MiB', 100, async () => createHash('md5').update(mibBytes).digest()),
  ];
  const [parseQueryMs, parseJsonMs, md5Ms] = platform.map((r) => r.mean);
  console.log(
    `sqsflare's own share of 1 MiB (total − parse − MD5): query ${(rows[2].mean - parseQueryMs - md5Ms).toFixed(2)} ms, JSON ${(rows[3].mean - parseJsonMs - md5Ms).toFixed(2)} ms`,
  );
  console.log('goals: batch ≤ 1 ms, 1 MiB ≤ 5 ms (Workers Free allows 10 ms CPU)');
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await runCpuBench();
