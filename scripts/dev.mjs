#!/usr/bin/env node
/**
 * `npm run dev`: the whole flow offline. Starts the local Lambda emulator (running the handlers in examples/) and
 * `wrangler dev` with the cron exposed, fires the cron once so the example mapping is synced, then keeps firing it
 * every 5 minutes (crons do not fire by themselves in wrangler dev). Ctrl-C stops both.
 *
 * Options (environment): SQSFLARE_PORT (8787), LAMBDA_EMULATOR_PORT (9001), SQSFLARE_PERSIST_TO (.wrangler/state).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.SQSFLARE_PORT ?? 8787);
const emulatorPort = Number(process.env.LAMBDA_EMULATOR_PORT ?? 9001);
const persistTo = process.env.SQSFLARE_PERSIST_TO ?? join(root, '.wrangler', 'state');
const quiet = { WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

const devVars = join(root, '.dev.vars');
if (!existsSync(devVars)) {
  copyFileSync(join(root, '.dev.vars.example'), devVars);
  console.log('[dev] created .dev.vars from .dev.vars.example');
}
const vars = Object.fromEntries(
  readFileSync(devVars, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')]),
);
const lambdaUrl = `http://127.0.0.1:${emulatorPort}`;
const children = [];

function start(name, command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...quiet, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(process.stdout);
  child.stderr.pipe(process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitFor(url, what, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

start('emulator', process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'dev/run-emulator.ts'], {
  LAMBDA_EMULATOR_PORT: String(emulatorPort),
  AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID ?? 'lambda-local',
  AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY ?? 'lambda-local-secret',
});
start(
  'wrangler',
  process.execPath,
  [
    join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--test-scheduled',
    '--persist-to',
    persistTo,
    '--log-level',
    'warn',
    // The emulator's port wins over whatever .dev.vars says, so both always agree.
    '--var',
    `AWS_ENDPOINT_URL_LAMBDA:${lambdaUrl}`,
    // The emulator answers API Gateway's read calls on the same port.
    '--var',
    `AWS_ENDPOINT_URL_API_GATEWAY:${lambdaUrl}`,
  ],
  {},
);

const origin = `http://127.0.0.1:${port}`;
const cron = () => fetch(`${origin}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}`).catch((e) => console.error(`[dev] cron failed: ${e.message}`));
try {
  await waitFor(`${lambdaUrl}/`, 'the Lambda emulator');
  await waitFor(`${origin}/index.json`, 'wrangler dev');
  await cron();
  setInterval(cron, 5 * 60_000);
  console.log(`
[dev] sqsflare is up — the Lambda emulator runs the handlers in examples/.
  SQS endpoint   ${origin}            (access key ${vars.SQS_ACCESS_KEY_ID}, secret ${vars.SQS_SECRET_ACCESS_KEY}, region us-east-1)
  Function index ${origin}/
  Dashboard      ${origin}/admin       (user admin, password ${vars.ADMIN_PASSWORD})
  Lambda API     ${lambdaUrl}        (emulator)
  Try:           npm run demo
                 AWS_ACCESS_KEY_ID=${vars.SQS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${vars.SQS_SECRET_ACCESS_KEY} aws --region us-east-1 --endpoint-url ${origin} sqs list-queues
[dev] ready
`);
} catch (error) {
  console.error(`[dev] ${error.message}`);
  stop(1);
}
