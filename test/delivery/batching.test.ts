import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, parseBatchItemFailures, planBatches } from '../../src/delivery/batching';
import type { StoredMessage } from '../../src/shared/messages';

const message = (seq: number, groupId?: string, body = `m${seq}`): StoredMessage => ({
  seq,
  messageId: `id-${seq}`,
  body,
  md5OfBody: '',
  sentAt: 0,
  receiveCount: 0,
  visibleAt: 0,
  senderId: 's',
  groupId,
});

describe('planBatches', () => {
  it('splits by batch size', () => {
    const batches = planBatches(Array.from({ length: 25 }, (_, i) => message(i + 1)), 10, 10, false);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('splits before the 6 MB payload limit', () => {
    const big = 'x'.repeat(1_000_000);
    const batches = planBatches(Array.from({ length: 8 }, (_, i) => message(i + 1, undefined, big)), 10_000, 10, false);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(batch.reduce((n, m) => n + m.body.length, 0)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it('never lets a FIFO group span two concurrent batches', () => {
    const messages = [message(1, 'a'), message(2, 'a'), message(3, 'b'), message(4, 'a'), message(5, 'c')];
    const batches = planBatches(messages, 2, 3, true);
    expect(batches.map((b) => b.map((m) => m.seq))).toEqual([[1, 2], [3, 5]]);
  });

  it('respects the batch budget', () => {
    expect(planBatches(Array.from({ length: 30 }, (_, i) => message(i + 1)), 10, 2, false)).toHaveLength(2);
  });
});

describe('parseBatchItemFailures', () => {
  const ids = ['a', 'b', 'c'];

  it.each(['', 'null', '{}', '{"batchItemFailures":[]}', '{"batchItemFailures":null}'])('%j is a complete success', (body) => {
    expect(parseBatchItemFailures(body, ids)).toEqual({ failedIds: new Set(), wholeBatchFailed: false });
  });

  it('retries only the listed records', () => {
    expect(parseBatchItemFailures('{"batchItemFailures":[{"itemIdentifier":"b"}]}', ids)).toEqual({
      failedIds: new Set(['b']),
      wholeBatchFailed: false,
    });
  });

  it.each([
    'not json',
    '{"batchItemFailures":[{"itemIdentifier":""}]}',
    '{"batchItemFailures":[{"itemIdentifier":null}]}',
    '{"batchItemFailures":[{"id":"a"}]}',
    '{"batchItemFailures":[{"itemIdentifier":"zzz"}]}',
    '{"batchItemFailures":"a"}',
  ])('%j fails the whole batch', (body) => {
    expect(parseBatchItemFailures(body, ids)).toEqual({ failedIds: new Set(ids), wholeBatchFailed: true });
  });

});

describe('issue 10', () => {
  it('7. FIFO partial batch failures exactly as Lambda: only the listed identifiers are retried', () => {
    const body = JSON.stringify({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect([...parseBatchItemFailures(body, ['a', 'b', 'c']).failedIds]).toEqual(['b']);
  });

  it('9. payloads are counted in UTF-8 bytes of the event as sent', () => {
    const cjk = '漢'.repeat(300_000); // 300,000 UTF-16 units, 900,000 UTF-8 bytes
    const messages = Array.from({ length: 10 }, (_, i) => ({ ...message(i + 1), body: cjk }));
    const batches = planBatches(messages, 10, 10, false);
    for (const batch of batches) {
      const event = JSON.stringify({ Records: batch.map((m) => ({ body: m.body, messageId: m.messageId })) });
      expect(new TextEncoder().encode(event).byteLength).toBeLessThanOrEqual(6 * 1024 * 1024);
    }
    expect(batches.flat()).toHaveLength(10);
  });
});
