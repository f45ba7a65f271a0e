/** Starts `wrangler dev` for benchmarks on a free port with its own state, quiet and offline. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SQS_CREDENTIALS = { accessKeyId: 'bench-key', secretAccessKey: 'bench-secret' };
export const LAMBDA_CREDENTIALS = { accessKeyId: 'bench-lambda-key', secretAccessKey: 'bench-lambda-secret' };
export const ADMIN_PASSWORD = 'bench-admin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface WranglerDev {
  url: string;
  port: number;
  persistDir: string;
  stop(): Promise<void>;
  /** kill -9 of the whole process group: the runtime dies mid-work, as in a crash. */
  kill9(): void;
  memoryKiB(): Promise<number>;
}

export interface WranglerOptions {
  config?: string;
  lambdaUrl?: string;
  persistDir?: string;
  vars?: Record<string, string>;
  /** Reuse a port (a restart on the same state keeps its URLs). */
  port?: number;
  /** Expose /cdn-cgi/handler/scheduled to fire the cron. */
  testScheduled?: boolean;
}

export async function startWranglerDev(options: WranglerOptions = {}): Promise<WranglerDev> {
  const port = options.port ?? (await freePort());
  const persist = options.persistDir ?? mkdtempSync(join(tmpdir(), 'sqsflare-bench-'));
  const vars: Record<string, string> = {
    SQS_ACCESS_KEY_ID: SQS_CREDENTIALS.accessKeyId,
    SQS_SECRET_ACCESS_KEY: SQS_CREDENTIALS.secretAccessKey,
    AWS_ACCESS_KEY_ID: LAMBDA_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LAMBDA_CREDENTIALS.secretAccessKey,
    ADMIN_PASSWORD,
    // The emulator serves API Gateway's read calls too (dev/lambda-emulator/routes/api-gateway.ts).
    ...(options.lambdaUrl ? { AWS_ENDPOINT_URL_LAMBDA: options.lambdaUrl, AWS_ENDPOINT_URL_API_GATEWAY: options.lambdaUrl } : {}),
    ...options.vars,
  };
  // An inspector port of its own: the default 9229 is shared by every wrangler dev, and one that was just
  // killed (kill -9) or runs beside this one can hold it.
  const inspectorPort = await freePort();
  const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', persist, '--log-level', 'error'];
  if (options.config) args.push('--config', options.config);
  if (options.testScheduled) args.push('--test-scheduled');
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const log = openSync(join(persist, 'wrangler.log'), 'a');
  const child: ChildProcess = spawn('npx', args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    stdio: ['ignore', log, log],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`wrangler dev did not start; see ${persist}/wrangler.log`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    port,
    persistDir: persist,
    kill9() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    },
    async stop() {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    },
    /** Resident memory of the workerd processes of this wrangler (the runtime the Worker runs in). */
    async memoryKiB() {
      const { execSync } = await import('node:child_process');
      const out = execSync(`ps -o rss=,args= -g ${child.pid}`).toString();
      return out
        .split('\n')
        .filter((l) => l.includes('workerd'))
        .reduce((n, l) => n + Number(l.trim().split(/\s+/)[0] || 0), 0);
    },
  };
}
