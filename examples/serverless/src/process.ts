/** Consumes order messages delivered by sqsflare: the same SQS event that an enabled AWS mapping would send. */
interface SQSRecord {
  messageId: string;
  body: string;
  attributes: { ApproximateReceiveCount: string };
}

export async function handler(event: { Records: SQSRecord[] }) {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      const order = JSON.parse(record.body) as { id: string; total: number };
      console.log(`order ${order.id}: ${order.total} (attempt ${record.attributes.ApproximateReceiveCount})`);
    } catch (error) {
      // Only this record is retried (ReportBatchItemFailures); the others are deleted.
      console.error(`bad order ${record.messageId}:`, error);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
