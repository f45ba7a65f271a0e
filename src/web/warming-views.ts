/**
 * The dashboard's warming figures: cold starts per day and init durations (measured from the REPORT lines of direct
 * warming invokes), and what warming costs against Lambda's free tier (src/lambda/warming-cost.ts).
 */
import { type FunctionWarmingCost, type WarmingCost, warmingCosts } from '../lambda/warming-cost';
import type { PingView, WarmDay } from '../registry/pings';

/** The cron's interval (wrangler.toml `*\/5 * * * *`). */
export const WARM_INTERVAL_MINUTES = 5;
/** Days the cold-start chart shows. */
export const CHART_DAYS = 14;

export interface FunctionWarming {
  /** how it is warmed */
  via: 'url' | 'invoke' | null;
  instances: number;
  memorySize: number;
  /** per UTC day (oldest first, the last CHART_DAYS days with data): warming invocations that were cold starts */
  coldStartsPerDay: { label: string; value: number }[];
  /** Init Duration of each measured cold start among the recent runs, oldest first */
  initDurations: { at: number; latencyMs: number | null; ok: boolean }[];
  /** median Billed Duration of the recent warming invokes, or for URL pings the median round trip (an estimate) */
  billedMs: number | null;
  billedMeasured: boolean;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
};

export function functionWarming(
  fn: { name: string; url: string | null; memorySize: number; warm: { enabled: boolean; instances: number; explicit: boolean } },
  pings: PingView[],
  days: WarmDay[],
): FunctionWarming {
  const via = !fn.warm.enabled ? null : fn.url ? 'url' : fn.warm.explicit ? 'invoke' : null;
  const billed = median(pings.flatMap((p) => (p.billedDurationMs !== undefined ? [p.billedDurationMs] : [])));
  const roundTrip = median(pings.flatMap((p) => (p.latencyMs !== null && !p.error ? [p.latencyMs] : [])));
  return {
    via,
    instances: via ? fn.warm.instances : 0,
    memorySize: fn.memorySize,
    coldStartsPerDay: days
      .filter((d) => d.functions[fn.name])
      .slice(-CHART_DAYS)
      .map((d) => ({ label: d.day, value: d.functions[fn.name].coldStarts })),
    initDurations: pings.filter((p) => p.initDurationMs !== undefined).map((p) => ({ at: p.at, latencyMs: p.initDurationMs as number, ok: true })),
    billedMs: billed ?? roundTrip,
    billedMeasured: billed !== null,
  };
}

export interface WarmingCostView {
  functions: (FunctionWarmingCost & { instances: number; memorySize: number; billedMs: number; billedMeasured: boolean })[];
  total: WarmingCost;
}

/** Per warmed function and in total, per month at the cron's interval. Unknown billed durations count as 1 ms. */
export function warmingCostView(functions: { name: string; warming: FunctionWarming }[]): WarmingCostView {
  const warmed = functions.filter((f) => f.warming.via !== null);
  const { functions: costs, total } = warmingCosts(
    warmed.map((f) => ({
      functionName: f.name,
      instances: f.warming.instances,
      intervalMinutes: WARM_INTERVAL_MINUTES,
      memorySizeMb: f.warming.memorySize,
      billedDurationMs: Math.max(1, f.warming.billedMs ?? 1),
    })),
  );
  return {
    functions: costs.map((c, i) => ({
      ...c,
      instances: warmed[i].warming.instances,
      memorySize: warmed[i].warming.memorySize,
      billedMs: Math.max(1, warmed[i].warming.billedMs ?? 1),
      billedMeasured: warmed[i].warming.billedMeasured,
    })),
    total,
  };
}
