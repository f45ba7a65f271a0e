/** The demo SQS consumer: logs each message and reports none as failed. Warming pings get a quick answer. */

/** Just the part of the Lambda SQS event this handler reads (no @types/aws-lambda needed). */
export interface SQSEvent {
  Records: { messageId: string; body: string; eventSourceARN?: string; attributes?: Record<string, string> }[];
}

export async function handler(event: SQSEvent | { headers?: Record<string, string> } | { source?: string }) {
  // Warming by direct Invoke sends serverless-plugin-warmup's payload: answer at once.
  if ('source' in event && event.source === 'serverless-plugin-warmup') return 'warmed';
  // The function also has a URL, which sqsflare's cron pings to keep it warm.
  if (!('Records' in event) || !Array.isArray(event.Records)) return { statusCode: 204 };
  for (const record of event.Records) {
    console.log(`[hello] ${new Date().toISOString()} hello, ${record.body}`);
  }
  return { batchItemFailures: [] as { itemIdentifier: string }[] };
}
