/**
 * Delivery benchmarks against wrangler dev and the local Lambda emulator: lateness of invocations against due
 * times, operation counters over idle time, SQLite rows written per delivered message, MaximumConcurrency, and the
 * queue object's active time per delivered message, synchronous against asynchronous delivery (issue 13).
 */
import { CreateQueueCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LambdaEmulator, startLambdaEmulator } from '../dev/lambda-emulator';
import { percentile } from './sqs';
import { ADMIN_PASSWORD, LAMBDA_CREDENTIALS, SQS_CREDENTIALS, startWranglerDev, type WranglerDev } from './support/wrangler';

const ACCOUNT = '000000000000';
const arn = (queue: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running = new Map<string, number>();
const peakRunning = new Map<string, number>();

export interface DeliveryBench {
  dev: WranglerDev;
  emulator: LambdaEmulator;
  sqs: SQSClient;
  admin(path: string): Promise<any>;
  stop(): Promise<void>;
}

export async function startDeliveryBench(concurrencies: number[]): Promise<DeliveryBench> {
  const emulator = await startLambdaEmulator({
    credentials: LAMBDA_CREDENTIALS,
    region: 'us-east-1',
    accountId: ACCOUNT,
    functions: [
      { name: 'bench-dev-fast', handler: () => null },
      {
        name: 'bench-dev-slow',
        // Counts the invocations running at once per queue: MaximumConcurrency must bound it.
        handler: async (event: { Records?: { eventSourceARN: string }[] }) => {
          const source = event.Records?.[0]?.eventSourceARN ?? '';
          const now = (running.get(source) ?? 0) + 1;
          running.set(source, now);
          peakRunning.set(source, Math.max(peakRunning.get(source) ?? 0, now));
          await sleep(1000);
          running.set(source, (running.get(source) ?? 1) - 1);
          return null;
        },
      },
      {
        name: 'bench-dev-job',
        description: 'A 30 s job [sqsflare:async]',
        // Runs 30 s after Lambda's 202: the queue's object does not wait for it.
        handler: async () => {
          await sleep(30_000);
          return null;
        },
      },
    ],
    mappings: [
      { EventSourceArn: arn('active-sync'), FunctionName: 'bench-dev-slow', BatchSize: 1, State: 'Disabled' },
      { EventSourceArn: arn('active-async'), FunctionName: 'bench-dev-job', BatchSize: 1, State: 'Disabled' },
      { EventSourceArn: arn('lateness'), FunctionName: 'bench-dev-fast', BatchSize: 10, State: 'Disabled' },
      { EventSourceArn: arn('billed-single'), FunctionName: 'bench-dev-fast', BatchSize: 10, State: 'Disabled' },
      { EventSourceArn: arn('billed-batch'), FunctionName: 'bench-dev-fast', BatchSize: 10, State: 'Disabled' },
      ...concurrencies.map((n) => ({
        EventSourceArn: arn(`concurrency-${n}`),
        FunctionName: 'bench-dev-slow',
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: n },
        State: 'Disabled' as const,
      })),
    ],
  });
  const dev = await startWranglerDev({ lambdaUrl: emulator.url, testScheduled: true });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: dev.url, credentials: SQS_CREDENTIALS, maxAttempts: 1 });
  await fetch(`${dev.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
  const admin = async (path: string) => {
    const response = await fetch(`${dev.url}${path}`, { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_PASSWORD}`)}` } });
    return response.json();
  };
  return {
    dev,
    emulator,
    sqs,
    admin,
    async stop() {
      await dev.stop();
      await emulator.close();
    },
  };
}

/** 100 messages with delays of 1–10 s; lateness = invocation arrival − (SentTimestamp + delay). */
export async function deliveryLateness(bench: DeliveryBench, count = 100) {
  const url = `${bench.dev.url}/${ACCOUNT}/lateness`;
  const before = bench.emulator.invocations.length;
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: Math.min(10, count - i) }, (_, j) => {
      const delay = 1 + ((i + j) % 10);
      return { Id: `e${j}`, MessageBody: JSON.stringify({ n: i + j, delay }), DelaySeconds: delay };
    });
    await bench.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
  }
  const deadline = Date.now() + 30_000;
  const records = () => bench.emulator.invocations.slice(before).flatMap((inv) => (inv.event?.Records ?? []).map((r: any) => ({ r, at: inv.receivedAt })));
  while (records().length < count && Date.now() < deadline) await sleep(100);
  const lateness = records()
    .map(({ r, at }) => at - (Number(r.attributes.SentTimestamp) + JSON.parse(r.body).delay * 1000))
    .sort((a, b) => a - b);
  return { delivered: lateness.length, p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness.at(-1) ?? NaN };
}

/**
 * Operations over `seconds` of idleness. Outbound calls come from the emulator's own log (exact). Alarm runs and
 * SQLite rows come from the queue object's per-instance counters: if the runtime evicted the idle object, the look
 * at the end starts a fresh instance, and that instance's counters cover the time since it started. An eviction is
 * itself evidence of idleness (the runtime only evicts an object that receives no events), and `alarmAt` shows that
 * no alarm was scheduled when the idle time began.
 */
export async function idleCounters(bench: DeliveryBench, seconds = 60) {
  const snapshot = async () => {
    const q = await bench.admin('/admin/api/queues/lateness');
    return { instance: q.instance as { startedAt: number; alarmRuns: number; rowsRead: number; rowsWritten: number }, alarmAt: q.alarmAt as number | null, lambdaRequests: bench.emulator.invocations.length };
  };
  await sleep(2000); // let the last delivery settle
  const start = await snapshot();
  const probe = await snapshot(); // what one look costs (the stats and peek queries read a few rows)
  const probeReads = probe.instance.rowsRead - start.instance.rowsRead;
  await sleep(seconds * 1000);
  const end = await snapshot();
  const evicted = end.instance.startedAt !== probe.instance.startedAt;
  const since = evicted ? { alarmRuns: 0, rowsRead: 0, rowsWritten: 0 } : probe.instance;
  return {
    seconds,
    alarmScheduledAtStart: probe.alarmAt !== null,
    evictedWhileIdle: evicted,
    alarmRuns: end.instance.alarmRuns - since.alarmRuns,
    rowsWritten: end.instance.rowsWritten - since.rowsWritten,
    // Counters are taken before each look's own queries: between two looks lies exactly one earlier look.
    rowsReadBeyondTheLook: end.instance.rowsRead - since.rowsRead - (evicted ? 0 : probeReads),
    lambdaRequests: end.lambdaRequests - probe.lambdaRequests,
  };
}

/**
 * Rows written per delivered message: send 200, let them deliver, divide the queue's rows written. The delivery
 * report (log and counters, a diagnostics row saved at most every 5 minutes) is shown apart.
 */
export async function rowsPerDeliveredMessage(bench: DeliveryBench, count = 200) {
  const url = `${bench.dev.url}/${ACCOUNT}/lateness`;
  const before = await bench.admin('/admin/api/queues/lateness');
  for (let i = 0; i < count; i += 10) {
    await bench.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `r${i + j}` })) }));
  }
  const deadline = Date.now() + 30_000;
  let after = before;
  while (Date.now() < deadline) {
    after = await bench.admin('/admin/api/queues/lateness');
    if (after.counters.delivered - before.counters.delivered >= count && after.visible + after.inFlight === 0) break;
    await sleep(200);
  }
  if (after.instance.startedAt !== before.instance.startedAt) throw new Error('the queue object restarted during the measurement');
  const delivered = after.counters.delivered - before.counters.delivered;
  const written = after.instance.rowsWritten - before.instance.rowsWritten;
  const reportRows = after.instance.reportRowsWritten - before.instance.reportRowsWritten;
  return { delivered, rowsWritten: written, reportRows, rowsPerMessage: written / delivered, messageRowsPerMessage: (written - reportRows) / delivered };
}

/** MaximumConcurrency N with a function that takes 1 s: invocations per second in steady state. */
export async function concurrencyThroughput(bench: DeliveryBench, n: number, seconds = 10) {
  const queue = `concurrency-${n}`;
  // The cron created the mapped queue (VisibilityTimeout 6 × the function's Timeout); CreateQueue without attributes is idempotent.
  await bench.sqs.send(new CreateQueueCommand({ QueueName: queue }));
  const url = `${bench.dev.url}/${ACCOUNT}/${queue}`;
  const total = n * (seconds + 4);
  const sentAt = Date.now();
  for (let i = 0; i < total; i += 10) {
    await bench.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: Math.min(10, total - i) }, (_, j) => ({ Id: `e${j}`, MessageBody: `c${i + j}` })) }));
  }
  const inQueue = () => bench.emulator.invocations.filter((inv) => inv.receivedAt >= sentAt && inv.event?.Records?.[0]?.eventSourceARN === arn(queue));
  const deadline = Date.now() + (seconds + 30) * 1000;
  while (inQueue().length < total && Date.now() < deadline) await sleep(200);
  // N start together, then each slot starts again when its call ends: T starts span T/N − 1 slot cycles, so the
  // rate is (T − N) / (last start − first start). Counting starts in a fixed window would overcount by a boundary wave.
  const times = inQueue().map((i) => i.receivedAt);
  const steady = times.length - n;
  const from = Math.min(...times);
  const to = Math.max(...times);
  return { maximumConcurrency: n, invocations: times.length, invocationsPerSecond: steady / ((to - from) / 1000), peakRunning: peakRunning.get(arn(queue)) ?? 0 };
}

/** A queue's own usage figures of today (src/shared/usage.ts), as /admin/api/usage lists them. */
async function billedWork(bench: DeliveryBench, queue: string) {
  const usage = await bench.admin('/admin/api/usage');
  const object = usage.objects.find((o: { name: string }) => o.name === queue);
  return { requests: object?.requests ?? 0, rowsWritten: object?.rowsWritten ?? 0, alarmWrites: object?.alarmWrites ?? 0 };
}

/**
 * Every billed write (SQL rows, setAlarm and deleteAlarm) and every DO request per delivered message, from the
 * queue object's own usage counters: `count` messages sent one by one, each delivered before the next is sent
 * (`batch` 1), or in SendMessageBatch calls of
 * `batch`, delivered in invocations of up to 10. The looks that read the counters (a stats call each) are
 * subtracted: one DO request and no row written each.
 */
export async function billedPerDeliveredMessage(bench: DeliveryBench, batch: 1 | 10, count = 100) {
  const queue = batch === 1 ? 'billed-single' : 'billed-batch';
  const url = `${bench.dev.url}/${ACCOUNT}/${queue}`;
  const delivered = () => bench.emulator.invocations.filter((inv) => inv.event?.Records?.[0]?.eventSourceARN === arn(queue)).flatMap((inv) => inv.event.Records).length;
  const deliveredBefore = delivered();
  const before = await billedWork(bench, queue);
  for (let i = 0; i < count; i += batch) {
    if (batch === 1) {
      // Each message delivered alone (one alarm run and one invocation each), as issue 12 measures a single send.
      await bench.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `b${i}` }));
      while (delivered() - deliveredBefore < i + 1) await sleep(5);
    } else await bench.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: batch }, (_, j) => ({ Id: `e${j}`, MessageBody: `b${i + j}` })) }));
  }
  const deadline = Date.now() + 30_000;
  let looks = 0;
  while (delivered() - deliveredBefore < count && Date.now() < deadline) await sleep(100);
  for (;;) {
    const q = await bench.admin(`/admin/api/queues/${queue}`);
    looks += 2; // stats and peek
    if (q.visible + q.inFlight === 0 || Date.now() > deadline) break;
    await sleep(200);
  }
  await sleep(1500); // the run that found nothing more to do, and its alarm writes
  const after = await billedWork(bench, queue);
  const n = delivered() - deliveredBefore;
  const requests = after.requests - before.requests - looks - 1; // less the looks and the first usage read
  return {
    delivered: n,
    rowsWritten: after.rowsWritten - before.rowsWritten,
    alarmWrites: after.alarmWrites - before.alarmWrites,
    doRequests: requests,
    rowsPerMessage: (after.rowsWritten - before.rowsWritten) / n,
    requestsPerMessage: requests / n,
  };
}

/**
 * The queue object's active time per delivered message (its usage meter's 'deliveries' activity: the alarm runs),
 * `count` messages sent one by one, each delivered before the next is sent. 'sync': the 1 s function, waited for;
 * 'async': a [sqsflare:async] function that runs 30 s after its 202.
 */
export async function activeTimePerMessage(bench: DeliveryBench, mode: 'sync' | 'async', count = 10) {
  const queue = `active-${mode}`;
  // The cron created the mapped queue (VisibilityTimeout 6 × the function's Timeout); CreateQueue without attributes is idempotent.
  await bench.sqs.send(new CreateQueueCommand({ QueueName: queue }));
  const url = `${bench.dev.url}/${ACCOUNT}/${queue}`;
  const look = async () => {
    const q = await bench.admin(`/admin/api/queues/${queue}`);
    return { activeMs: q.usage?.activities?.deliveries?.activeMs ?? 0, delivered: q.counters.delivered as number, invocations: q.counters.invocations as number, startedAt: q.instance.startedAt as number };
  };
  const before = await look();
  for (let i = 0; i < count; i++) {
    await bench.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    const deadline = Date.now() + 30_000;
    while ((await look()).delivered - before.delivered < i + 1 && Date.now() < deadline) await sleep(20);
  }
  const after = await look();
  if (after.startedAt !== before.startedAt) throw new Error('the queue object restarted during the measurement');
  const delivered = after.delivered - before.delivered;
  const invocations = after.invocations - before.invocations;
  return { mode, delivered, invocations, activeMsPerMessage: (after.activeMs - before.activeMs) / delivered };
}
