/**
 * What keeping functions warm costs, against Lambda's monthly free tier: 1,000,000 requests and 400,000 GB-seconds
 * (https://aws.amazon.com/lambda/pricing/). Duration is charged as billed duration × memory, memory in GB = MB / 1024.
 * Pure arithmetic; the caller supplies the memory size (ListFunctions' MemorySize) and the measured billed duration
 * (the warming invocations' REPORT lines).
 */

export const FREE_REQUESTS_PER_MONTH = 1_000_000;
export const FREE_GB_SECONDS_PER_MONTH = 400_000;
/** AWS's pricing examples and calculator count a month as 730 hours */
export const HOURS_PER_MONTH = 730;

export interface WarmingPlan {
  functionName: string;
  /** instances warmed each time ([sqsflare:warm=N]) */
  instances: number;
  /** minutes between warmings: the cron's 5 */
  intervalMinutes: number;
  /** the function's configured memory, MB */
  memorySizeMb: number;
  /** measured Billed Duration of a warming invocation, ms (a typical value, e.g. the median of recent ones) */
  billedDurationMs: number;
}

export interface WarmingCost {
  invocationsPerMonth: number;
  gbSecondsPerMonth: number;
  /** fractions of the free tier (0.0086 = 0.86 %) */
  shareOfFreeRequests: number;
  shareOfFreeGbSeconds: number;
}

export interface FunctionWarmingCost extends WarmingCost {
  functionName: string;
}

/** One function's warming per month: instances × runs per month invocations, each billed duration × memory. */
export function warmingCost(plan: WarmingPlan): FunctionWarmingCost {
  const runsPerMonth = plan.intervalMinutes > 0 ? (HOURS_PER_MONTH * 60) / plan.intervalMinutes : 0;
  const invocationsPerMonth = Math.max(0, plan.instances) * runsPerMonth;
  const gbSecondsPerMonth = invocationsPerMonth * (Math.max(0, plan.billedDurationMs) / 1000) * (Math.max(0, plan.memorySizeMb) / 1024);
  return { functionName: plan.functionName, ...shares(invocationsPerMonth, gbSecondsPerMonth) };
}

/** Per function and in total: the free tier is per account, so the shares add up. */
export function warmingCosts(plans: WarmingPlan[]): { functions: FunctionWarmingCost[]; total: WarmingCost } {
  const functions = plans.map(warmingCost);
  const invocations = functions.reduce((sum, cost) => sum + cost.invocationsPerMonth, 0);
  const gbSeconds = functions.reduce((sum, cost) => sum + cost.gbSecondsPerMonth, 0);
  return { functions, total: shares(invocations, gbSeconds) };
}

function shares(invocationsPerMonth: number, gbSecondsPerMonth: number): WarmingCost {
  return {
    invocationsPerMonth,
    gbSecondsPerMonth,
    shareOfFreeRequests: invocationsPerMonth / FREE_REQUESTS_PER_MONTH,
    shareOfFreeGbSeconds: gbSecondsPerMonth / FREE_GB_SECONDS_PER_MONTH,
  };
}
