/** SQS's own limits (SQS Developer Guide, "Amazon SQS quotas"; API Reference per action). */
export const MAX_MESSAGE_BYTES = 1_048_576;
export const MAX_DELAY_SECONDS = 900;
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_WAIT_SECONDS = 20;
export const MAX_BATCH_ENTRIES = 10;
export const MAX_MESSAGE_ATTRIBUTES = 10;
export const FIFO_DEDUP_WINDOW_MS = 5 * 60 * 1000;
