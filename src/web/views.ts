/**
 * Every shape the pages and the JSON under /admin/api show, and the pure functions that build them from the
 * registry's and the queues' RPC answers (read.ts does the calls).
 */
import { invocationOf, type Mapping } from '../delivery/mapping';
import type { PingView, WarmDay } from '../registry/pings';
import type { RegistryState } from '../registry/stores';
import type { SyncState } from '../registry/sync-state';
import type { StoredMessage } from '../shared/messages';
import type { DayUsage } from '../shared/usage';
import type { queueObject } from '../shared/rpc';
import { type FunctionWarming, functionWarming } from './warming-views';

export type { PingView };

/** A queue's answer to stats(), as it crosses RPC: the read model of one queue. */
export type QueueStats = Awaited<ReturnType<ReturnType<typeof queueObject>['stats']>>;
export type DeliveryLogEntry = QueueStats['delivery']['log'][number];

/** One point of a latency chart: a ping or an invocation. */
export interface LatencyPoint {
  at: number;
  latencyMs: number | null;
  ok: boolean;
}

export interface FunctionView {
  name: string;
  arn: string;
  description: string;
  runtime: string;
  lastModified: string;
  url?: string;
  authType?: string;
  warming: string;
  warm: FunctionWarming;
  lastPing?: PingView;
  /** URL pings' latencies (direct invokes are charted by their init durations instead) */
  pings: LatencyPoint[];
}

export type SyncStatus = Pick<SyncState, 'lastAttemptAt' | 'lastSuccessAt' | 'lastError' | 'progress'> & { apiGatewayNotes: string[] };

export interface QueueSummary {
  name: string;
  fifo: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
  oldestMessageAgeSeconds: number | null;
  functionName: string | null;
  mappingState: string | null;
  invocations: number;
  failures: number;
  deadLettered: number;
  lastDelivery?: DeliveryLogEntry;
  deadLetterQueue: string | null;
  /** set when the queue's visibility timeout is shorter than its function's timeout */
  visibilityWarning?: string;
  error?: string;
  /** the queue object's usage today (src/shared/usage.ts), read with its stats at no extra call */
  usage?: DayUsage;
}

export interface QueueDetail {
  name: string;
  arn: string;
  fifo: boolean;
  attributes: Record<string, string>;
  visible: number;
  inFlight: number;
  delayed: number;
  oldestMessageAgeSeconds: number | null;
  mapping: unknown;
  /** why the mapping's FilterCriteria cannot be applied (delivery is held), or null */
  filterError: string | null;
  /** how the function is invoked, said in a sentence when asynchronously (null: synchronously, or no mapping) */
  invocation: string | null;
  /** the queue object's usage today by activity (src/shared/usage.ts): what delivery costs it, for example */
  usage?: DayUsage;
  counters: Record<string, number>;
  log: DeliveryLogEntry[];
  /** When the next alarm is due (null: none scheduled, the queue is idle). */
  alarmAt: number | null;
  /** Activity of the running instance since it started: alarm runs and SQLite rows. */
  instance: QueueStats['instance'];
  deadLetterSources: string[];
  messages: StoredMessage[];
  visibilityWarning?: string;
}

export function functionView(fn: RegistryState['functions'][number], days: WarmDay[] = []): FunctionView {
  const warm = functionWarming(fn, fn.pings, days);
  const instances = `${warm.instances} instance${warm.instances === 1 ? '' : 's'}`;
  return {
    name: fn.name,
    arn: fn.arn,
    description: fn.description,
    runtime: fn.runtime,
    lastModified: fn.lastModified,
    url: fn.url ?? undefined,
    authType: fn.authType ?? undefined,
    warming: warm.via === 'url' ? instances : warm.via === 'invoke' ? `${instances} by direct Invoke` : fn.warm.enabled ? 'off (no URL: add [sqsflare:warm] to warm by Invoke)' : 'off',
    warm,
    lastPing: fn.pings.at(-1),
    pings: fn.pings.filter((p) => p.via !== 'invoke').map((p) => ({ at: p.at, latencyMs: p.latencyMs, ok: pingOk(p) })),
  };
}

/** A ping that reached a running function: any answer below 500, and no error noted. */
export const pingOk = (ping: PingView) => ping.status !== null && ping.status < 500 && !ping.error;

export function queueSummary(base: Pick<QueueSummary, 'name' | 'fifo' | 'deadLetterQueue'>, s: QueueStats): QueueSummary {
  return {
    ...base,
    visible: s.visible,
    inFlight: s.inFlight,
    delayed: s.delayed,
    oldestMessageAgeSeconds: s.oldestMessageAgeSeconds,
    functionName: functionNameOf(s.mapping?.functionArn),
    mappingState: s.mapping?.state ?? null,
    invocations: s.delivery.counters.invocations,
    failures: s.delivery.counters.failures,
    deadLettered: s.delivery.counters.deadLettered,
    lastDelivery: s.delivery.log[0],
    usage: s.usage,
    visibilityWarning: visibilityWarning(s),
  };
}

/**
 * AWS refuses a mapping whose function timeout exceeds the queue's visibility timeout (Lambda developer guide, "Using
 * Lambda with Amazon SQS"); sqsflare delivers anyway, and says so on the dashboard.
 */
export function visibilityWarning(s: Pick<QueueStats, 'attributes' | 'mapping'>): string | undefined {
  const functionTimeout = s.mapping?.functionTimeoutSeconds;
  const visibility = Number(s.attributes.VisibilityTimeout ?? 30);
  if (!functionTimeout || visibility >= functionTimeout) return undefined;
  return `Visibility timeout ${visibility} s is shorter than the function's timeout ${functionTimeout} s: AWS would refuse this mapping. Set it to ${Math.min(43_200, 6 * functionTimeout)} s (6 × the function's timeout).`;
}

/** A queue whose stats could not be read: listed with its error and zero counts. */
export function unreadableQueue(base: Pick<QueueSummary, 'name' | 'fifo' | 'deadLetterQueue'>, error: string): QueueSummary {
  return { ...base, visible: 0, inFlight: 0, delayed: 0, oldestMessageAgeSeconds: null, functionName: null, mappingState: null, invocations: 0, failures: 0, deadLettered: 0, error };
}

export function queueDetail(s: QueueStats, messages: StoredMessage[], deadLetterSources: string[]): QueueDetail {
  return {
    name: s.name,
    arn: s.arn,
    fifo: s.fifo,
    attributes: s.attributes,
    visible: s.visible,
    inFlight: s.inFlight,
    delayed: s.delayed,
    oldestMessageAgeSeconds: s.oldestMessageAgeSeconds,
    mapping: s.mapping,
    filterError: s.delivery.filterError,
    invocation: invocationNote(s.mapping),
    usage: s.usage,
    counters: { ...s.delivery.counters },
    log: s.delivery.log,
    alarmAt: s.alarmAt,
    instance: s.instance,
    deadLetterSources,
    messages,
    visibilityWarning: visibilityWarning(s),
  };
}

/** The dashboard's sentence for a mapping delivered asynchronously (README, "Delivery semantics"). */
export function invocationNote(mapping: Mapping | null | undefined): string | null {
  if (!mapping) return null;
  const { mode, reason } = invocationOf(mapping);
  if (mode === 'sync') return null;
  const why =
    reason === 'tag' ? "[sqsflare:async] in the function's Description" : `the function's Timeout (${mapping.functionTimeoutSeconds} s) is 14 minutes or more`;
  const rbif = ` ReportBatchItemFailures cannot apply: the function's result is not seen${mapping.reportBatchItemFailures ? ' (this mapping asks for it; it is ignored)' : ''}.`;
  return `Delivered asynchronously (Invoke with X-Amz-Invocation-Type: Event), because of ${why}: Lambda's 202 counts as delivered and the messages are deleted; Lambda retries and routes failures itself (on-failure destination).${rbif}`;
}

export { functionNameOf } from '../shared/names';
import { functionNameOf } from '../shared/names';

const STAGES = new Set(['dev', 'develop', 'development', 'prod', 'production', 'staging', 'stage', 'test', 'qa', 'uat', 'preview', 'local', 'sandbox']);

/**
 * The Serverless Framework names functions `<service>-<stage>-<function>`
 * (https://www.serverless.com/framework/docs/providers/aws/guide/functions); the service may itself contain dashes,
 * so the stage is found as a known stage word. A name without one is a service of its own.
 */
export function serviceOf(functionName: string): string {
  const parts = functionName.split('-');
  for (let i = parts.length - 2; i >= 1; i--) {
    if (STAGES.has(parts[i].toLowerCase())) return parts.slice(0, i + 1).join('-');
  }
  return functionName;
}

export function groupByService<F extends { name: string }>(functions: F[]): { service: string; functions: F[] }[] {
  const groups = new Map<string, F[]>();
  for (const fn of [...functions].sort((a, b) => a.name.localeCompare(b.name))) {
    const service = serviceOf(fn.name);
    groups.set(service, [...(groups.get(service) ?? []), fn]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([service, fns]) => ({ service, functions: fns }));
}

export function formatTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
