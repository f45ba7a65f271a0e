/**
 * Cloudflare's refusals at an exhausted daily quota. On Workers Free, "if you exceed any one of the free tier limits,
 * further operations of that type will fail with an error" until 00:00 UTC
 * (https://developers.cloudflare.com/durable-objects/platform/pricing/). The texts, as the runtime throws them from
 * SQL queries, setAlarm() and stub calls (seen in production reports):
 *   "Exceeded allowed rows written in Durable Objects free tier."   (SqlError: SQL query failed: …)
 *   "Exceeded allowed rows read in Durable Objects free tier."
 *   "Exceeded allowed duration in Durable Objects free tier."
 *   "Exceeded allowed volume of requests in Durable Objects free tier."
 * and, with a spending limit on Workers Paid, "Exceeded the account's spending cap for Durable Objects."
 * (https://developers.cloudflare.com/durable-objects/platform/spend-management/).
 */

const QUOTA_PATTERN = /Exceeded allowed [^.]* in Durable Objects free tier|Exceeded the account's spending cap for Durable Objects/i;

/** The error (or its message, as it crossed RPC) is the platform refusing work at a quota. */
export function isQuotaError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return QUOTA_PATTERN.test(message);
}

/** Which quota, in words, for messages and logs. */
export function quotaName(error: unknown): string {
  const match = /Exceeded allowed ([^.]*?) in Durable Objects free tier/i.exec(error instanceof Error ? error.message : String(error));
  return match ? match[1] : 'spending cap';
}
