/**
 * `npm run bench`: every figure, side by side in one run against the platform floor (a do-nothing Worker on the same
 * wrangler dev) and the in-memory peer local-aws-sqs. Set BENCH_ONLY=cpu,send,latency,receive,delivery,billed,backlog,concurrency,active,longpoll
 * to run a subset, BENCH_BACKLOG to size the backlog (default 1,000,000).
 */
import { createSqsServer } from 'local-aws-sqs';
import { cpus } from 'node:os';
import { runCpuBench } from './cpu';
import { activeTimePerMessage, billedPerDeliveredMessage, concurrencyThroughput, deliveryLateness, idleCounters, rowsPerDeliveredMessage, startDeliveryBench } from './delivery';
import { longPollCost, longPollDay } from './longpoll';
import { printBilledComparison } from './reference';
import { fillBacklog, queueFor, receiveDeleteThroughput, sendBatchThroughput, sendLatency, type Target } from './sqs';
import { freePort, SQS_CREDENTIALS, startWranglerDev } from './support/wrangler';

const only = process.env.BENCH_ONLY?.split(',');
const want = (part: string) => !only || only.includes(part);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

console.log(`sqsflare benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);

if (want('cpu')) {
  console.log('\n## CPU per request');
  await runCpuBench();
}

if (want('send') || want('latency') || want('receive') || want('backlog')) {
  const peerPort = await freePort();
  const peer = (await createSqsServer({ port: peerPort, hostname: '127.0.0.1' })) as { close?: () => void };
  const sqsflare = await startWranglerDev();
  const floor = await startWranglerDev({ config: 'bench/floor/wrangler.toml' });
  const targets: Target[] = [
    { name: 'sqsflare', endpoint: sqsflare.url, credentials: SQS_CREDENTIALS },
    { name: 'floor', endpoint: floor.url, credentials: SQS_CREDENTIALS, sendOnly: true },
    { name: 'peer (local-aws-sqs)', endpoint: `http://127.0.0.1:${peerPort}`, credentials: SQS_CREDENTIALS },
  ];
  try {
    if (want('send')) {
      console.log('\n## SendMessageBatch throughput (10 clients, 10 × 512 B, 10 s)');
      const results = [];
      for (const t of targets) results.push({ t, r: await sendBatchThroughput(t, 10, 10) });
      for (const { t, r } of results) console.log(`${t.name.padEnd(22)} ${f(r.messagesPerSecond, 0).padStart(6)} msg/s  ${f(r.requestsPerSecond, 0)} req/s  errors ${r.errors}`);
      const [s, fl, p] = results.map((x) => x.r.messagesPerSecond);
      console.log(`sqsflare / floor = ${f(s / fl, 2)} (goal ≥ 0.7); sqsflare / peer = ${f(s / p, 2)}`);
    }
    if (want('latency')) {
      console.log('\n## SendMessage latency (one client, 500 sequential sends of 512 B)');
      for (const t of targets) {
        const r = await sendLatency(t, 500);
        console.log(`${t.name.padEnd(22)} p50 ${f(r.p50, 2)} ms  p99 ${f(r.p99, 2)} ms`);
      }
    }
    if (want('receive')) {
      console.log('\n## ReceiveMessage + DeleteMessageBatch throughput (10 consumers, 5,000 prefilled)');
      for (const t of targets.filter((x) => !x.sendOnly)) {
        const r = await receiveDeleteThroughput(t, 10, 5000);
        console.log(`${t.name.padEnd(22)} ${f(r.messagesPerSecond, 0).padStart(6)} msg/s  consumed ${r.consumed}  errors ${r.errors}  left ${r.left}`);
      }
    }
    if (want('backlog')) {
      console.log(`\n## Backlog: ${BACKLOG.toLocaleString('en')} messages in one queue`);
      const t = targets[0];
      const memoryBefore = await sqsflare.memoryKiB();
      const empty = await sendLatency(t, 300);
      const url = await queueFor(t, 'backlog');
      const started = Date.now();
      await fillBacklog(t, url, BACKLOG, (n) => console.log(`  … ${n.toLocaleString('en')} sent (${f((Date.now() - started) / 1000, 0)} s)`));
      const full = await sendLatency(t, 300, url);
      const memoryAfter = await sqsflare.memoryKiB();
      console.log(`filled in ${f((Date.now() - started) / 1000, 0)} s`);
      console.log(`send to an empty queue      p50 ${f(empty.p50, 2)} ms  p99 ${f(empty.p99, 2)} ms`);
      console.log(`send to the backlog queue   p50 ${f(full.p50, 2)} ms  p99 ${f(full.p99, 2)} ms  (p99 ratio ${f(full.p99 / empty.p99, 2)}, goal ≤ 2)`);
      console.log(`runtime memory (workerd RSS) ${f(memoryBefore / 1024, 0)} MiB before, ${f(memoryAfter / 1024, 0)} MiB after`);
    }
  } finally {
    await sqsflare.stop();
    await floor.stop();
    peer.close?.();
  }
}

if (want('delivery') || want('billed') || want('concurrency') || want('active')) {
  const concurrencies = [2, 6, 10];
  const bench = await startDeliveryBench(concurrencies);
  try {
    if (want('delivery')) {
      console.log('\n## Delivery lateness (100 messages, delays 1–10 s; arrival at the function − due time)');
      const lateness = await deliveryLateness(bench, 100);
      console.log(`delivered ${lateness.delivered}  p50 ${lateness.p50} ms  p99 ${lateness.p99} ms  max ${lateness.max} ms (goal p99 ≤ 20 ms)`);
      console.log(`\n## Idle: operations over ${IDLE_SECONDS} s with nothing due`);
      const idle = await idleCounters(bench, IDLE_SECONDS);
      console.log(
        `alarm runs ${idle.alarmRuns}, Lambda requests ${idle.lambdaRequests}, rows written ${idle.rowsWritten}, rows read beyond the look ${idle.rowsReadBeyondTheLook} (goal: all 0); alarm scheduled at start: ${idle.alarmScheduledAtStart}, evicted while idle: ${idle.evictedWhileIdle}`,
      );
      console.log('\n## SQLite rows written per delivered message (200 messages)');
      const rows = await rowsPerDeliveredMessage(bench, 200);
      console.log(
        `delivered ${rows.delivered}, rows written ${rows.rowsWritten}: ${f(rows.messageRowsPerMessage, 2)} per message for the messages (goal ≤ 2) + ${rows.reportRows} delivery-report rows (at most one per 5 minutes) = ${f(rows.rowsPerMessage, 2)} in all`,
      );
    }
    if (want('billed')) {
      console.log('\n## Billed per delivered message (usage counters: SQL rows + setAlarm/deleteAlarm; DO requests: RPC calls + alarm runs)');
      const now: Record<string, { rowsWritten: number; doRequests: number }> = {};
      for (const batch of [1, 10] as const) {
        const r = await billedPerDeliveredMessage(bench, batch, 100);
        now[batch === 1 ? 'single' : 'batch10'] = { rowsWritten: r.rowsPerMessage, doRequests: r.requestsPerMessage };
        const label = batch === 1 ? 'SendMessage, one by one' : 'SendMessageBatch of 10  ';
        console.log(
          `${label}: ${f(r.rowsPerMessage, 2)} rows written (${r.alarmWrites} of ${r.rowsWritten} alarm writes) and ${f(r.requestsPerMessage, 2)} DO requests per message, ${r.delivered} delivered → ${f(Math.min(100_000 / r.rowsPerMessage, 100_000 / r.requestsPerMessage), 0)} messages/day on Free`,
        );
      }
      // Side by side with the previous release and this branch's base (bench/reference.json).
      printBilledComparison({ single: now.single, batch10: now.batch10 });
    }
    if (want('concurrency')) {
      console.log('\n## MaximumConcurrency N with a function that takes 1 s (BatchSize 1)');
      for (const n of concurrencies) {
        const r = await concurrencyThroughput(bench, n, 10);
        console.log(`N = ${String(n).padStart(2)}: ${f(r.invocationsPerSecond, 2)} invocations/s (goal ≈ ${n}), ${r.invocations} invocations, at most ${r.peakRunning} running at once`);
      }
    }
    if (want('active')) {
      console.log('\n## Queue object active time per delivered message (usage meter, deliveries; 10 messages delivered one by one)');
      for (const mode of ['sync', 'async'] as const) {
        const r = await activeTimePerMessage(bench, mode, 10);
        const label = (mode === 'sync' ? 'synchronous, 1 s function' : 'asynchronous (Event), 30 s function').padEnd(36);
        console.log(`${label} ${f(r.activeMsPerMessage, 1)} ms per message (${r.delivered} delivered in ${r.invocations} invocations) = ${f((r.activeMsPerMessage / 1000) * 0.125, 4)} GB-s`);
      }
    }
  } finally {
    await bench.stop();
  }
}

if (want('longpoll')) {
  console.log('\n## One consumer long-polling an empty queue (10 polls of WaitTimeSeconds 2; usage meter of the queue object)');
  const r = await longPollCost(10, 2);
  console.log(
    `per poll: ${f(r.activeMsPerPoll, 1)} active ms of the object (the wait: ${r.waitSeconds * 1000} ms), ${f(r.requestsPerPoll, 3)} DO requests (the upgrade 1, each incoming WebSocket message or close 1/20)`,
  );
  // Before: the poll waited inside the object, active (billed) for its whole wait; one RPC per poll.
  const before = longPollDay(20_000, 1);
  const after = longPollDay(r.activeMsPerPoll, r.requestsPerPoll);
  console.log('a day of WaitTimeSeconds 20 (4,320 polls)     before (wait in the object)   after (parked in the Worker)   goal');
  console.log(
    `active seconds / day                          ${f(before.activeSeconds, 0).padStart(8)} s  ${f(before.durationShare * 100, 1).padStart(5)} %     ${f(after.activeSeconds, 1).padStart(8)} s  ${f(after.durationShare * 100, 3).padStart(6)} %    ≤ 5 % of 13,000 GB-s`,
  );
  console.log(
    `DO requests / day                             ${f(before.requests, 0).padStart(8)}    ${f(before.requestsShare * 100, 1).padStart(5)} %     ${f(after.requests, 0).padStart(8)}    ${f(after.requestsShare * 100, 2).padStart(6)} %     ≤ 5 % of 100,000`,
  );
}
process.exit(0);
