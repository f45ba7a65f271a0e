/** What the pages show, in the shapes the pages need; built from the registry's and the queues' RPC answers. */
import type { LatencyPoint } from './chart';

export interface PingView {
  at: number;
  status: number | null;
  latencyMs: number | null;
  error?: string;
  coldStartLikely?: boolean;
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
  lastPing?: PingView;
  pings: LatencyPoint[];
}

export interface ServiceGroup {
  service: string;
  functions: FunctionView[];
}

const STAGES = new Set(['dev', 'develop', 'development', 'prod', 'production', 'staging', 'stage', 'test', 'qa', 'uat', 'preview', 'local', 'sandbox']);

/**
 * The Serverless Framework names functions `<service>-<stage>-<function>`; the service may itself contain dashes,
 * so the stage is found as a known stage word (or, failing that, the second-to-last part of three or more).
 */
export function serviceOf(functionName: string): string {
  const parts = functionName.split('-');
  for (let i = parts.length - 2; i >= 1; i--) {
    if (STAGES.has(parts[i].toLowerCase())) return parts.slice(0, i + 1).join('-');
  }
  return 'other functions';
}

export function groupByService(functions: FunctionView[]): ServiceGroup[] {
  const groups = new Map<string, FunctionView[]>();
  for (const fn of [...functions].sort((a, b) => a.name.localeCompare(b.name))) {
    const service = serviceOf(fn.name);
    groups.set(service, [...(groups.get(service) ?? []), fn]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === 'other functions' ? 1 : b === 'other functions' ? -1 : a.localeCompare(b)))
    .map(([service, fns]) => ({ service, functions: fns }));
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
