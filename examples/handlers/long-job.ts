/**
 * A long-running job, delivered asynchronously: its Description carries `[sqsflare:async]` (and a real deployment
 * would give it a Timeout of up to 900 s), so sqsflare hands each batch over with an Event invocation and Lambda runs
 * it after answering 202 — the queue's Durable Object is not held while the job runs. Locally each job takes
 * `steps` × `stepMs` (default 6 × 5 s = 30 s) and logs its progress, which `npm run dev` shows in the emulator's log.
 *
 * A job message: `{"job":"export-42","steps":6,"stepMs":5000}` (every field optional). Jobs must be idempotent:
 * asynchronous invocation is at-least-once, and Lambda retries a failed one up to twice
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
import type { SQSEvent } from './hello';

interface Job {
  job?: string;
  steps?: number;
  stepMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handler(event: SQSEvent): Promise<void> {
  for (const record of event.Records ?? []) {
    const job = parse(record.body);
    const name = job.job ?? record.messageId;
    const steps = Math.max(1, Math.min(100, job.steps ?? 6));
    const stepMs = Math.max(0, Math.min(60_000, job.stepMs ?? 5000));
    const started = Date.now();
    console.log(`[job ${name}] started: ${steps} steps of ${stepMs / 1000} s`);
    for (let step = 1; step <= steps; step++) {
      await sleep(stepMs);
      console.log(`[job ${name}] step ${step}/${steps} done (${Math.round((step / steps) * 100)}%, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    console.log(`[job ${name}] finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

function parse(body: string): Job {
  try {
    const value = JSON.parse(body);
    return value && typeof value === 'object' ? (value as Job) : {};
  } catch {
    return { job: body };
  }
}
