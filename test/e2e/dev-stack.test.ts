/**
 * What a new user does: `npm run dev` (wrangler dev + the Lambda emulator, no edits), then `npm run demo`.
 * Runs the real scripts on free ports with their own state.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../bench/support/wrangler';

let dev: ChildProcess;
let output = '';
let env: NodeJS.ProcessEnv;
let origin: string;

beforeAll(async () => {
  const [port, emulatorPort] = [await freePort(), await freePort()];
  origin = `http://127.0.0.1:${port}`;
  env = { ...process.env, SQSFLARE_PORT: String(port), LAMBDA_EMULATOR_PORT: String(emulatorPort), SQSFLARE_PERSIST_TO: mkdtempSync(join(tmpdir(), 'sqsflare-dev-')) };
  dev = spawn(process.execPath, ['scripts/dev.mjs'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout!.on('data', (chunk) => (output += chunk));
  dev.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 90_000;
  while (!output.includes('[dev] ready')) {
    if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`npm run dev did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  if (dev?.pid) {
    try {
      process.kill(-dev.pid, 'SIGTERM');
    } catch {}
    await new Promise((r) => setTimeout(r, 1500));
  }
});

it('starts with no edits and prints where to go and which credentials to use', () => {
  const vars = readFileSync('.dev.vars', 'utf8');
  const secret = /SQS_SECRET_ACCESS_KEY=(.*)/.exec(vars)![1];
  expect(output).toContain(`SQS endpoint   ${origin}`);
  expect(output).toContain(`Dashboard      ${origin}/admin`);
  expect(output).toContain(secret);
});

it('lists the example functions and their URLs on the index page after the first cron', async () => {
  const index = (await (await fetch(`${origin}/index.json`)).json()) as any;
  const functions = index.services.flatMap((s: any) => s.functions);
  expect(index.services.map((s: any) => s.service)).toContain('sqsflare-demo-dev');
  expect(functions.find((f: any) => f.name === 'sqsflare-demo-dev-api').url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fn\/sqsflare-demo-dev-api\/$/);
  const html = await (await fetch(`${origin}/`)).text();
  expect(html).toContain('sqsflare-demo-dev-hello');
});

it('runs the demo: hello about 5 s after sending, world about 10 s after', async () => {
  const demo = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['scripts/demo.mjs'], { env, timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout))),
  );
  const after = (body: string) => Number(new RegExp(`ran with "${body}", ([\\d.]+) s after sending`).exec(demo)?.[1]);
  expect(after('hello')).toBeGreaterThanOrEqual(5);
  expect(after('hello')).toBeLessThan(6);
  expect(after('world')).toBeGreaterThanOrEqual(10);
  expect(after('world')).toBeLessThan(11);
  expect(demo).toContain('hello first: true');
  // The dashboard's delivery log shows both invocations.
  const vars = readFileSync('.dev.vars', 'utf8');
  const password = /ADMIN_PASSWORD=(.*)/.exec(vars)![1];
  const queue = (await (await fetch(`${origin}/admin/api/queues/demo-queue`, { headers: { authorization: `Basic ${btoa(`admin:${password}`)}` } })).json()) as any;
  expect(queue.log.filter((e: any) => e.outcome === 'success').length).toBeGreaterThanOrEqual(2);
}, 60_000);

it('runs a long job: the API answers 202 at once, the queue hands the job over asynchronously, progress in the log', async () => {
  const lambdaUrl = `http://127.0.0.1:${env.LAMBDA_EMULATOR_PORT}`;
  const started = Date.now();
  const response = await fetch(`${lambdaUrl}/fn/sqsflare-demo-dev-start-job/`, { method: 'POST', body: JSON.stringify({ steps: 2, stepMs: 500 }) });
  expect(response.status).toBe(202);
  expect(Date.now() - started).toBeLessThan(2000);
  const { job } = (await response.json()) as { job: string };
  const deadline = Date.now() + 20_000;
  while (!output.includes(`[job ${job}] finished`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(output).toContain(`[job ${job}] step 1/2 done`);
  expect(output).toContain(`[job ${job}] finished`);
  const invocations = (await (await fetch(`${lambdaUrl}/_emulator/invocations`)).json()) as any[];
  const handedOver = invocations.find((i) => i.functionName === 'sqsflare-demo-dev-long-job');
  expect(handedOver).toMatchObject({ invocationType: 'Event', outcome: 'ok' });
  const vars = readFileSync('.dev.vars', 'utf8');
  const password = /ADMIN_PASSWORD=(.*)/.exec(vars)![1];
  const queue = (await (await fetch(`${origin}/admin/api/queues/jobs-queue`, { headers: { authorization: `Basic ${btoa(`admin:${password}`)}` } })).json()) as any;
  expect(queue.mapping).toMatchObject({ invocationMode: 'async', asyncReason: 'tag', functionTimeoutSeconds: 900 });
  expect(queue.counters.delivered).toBe(1);
}, 40_000);
