/** The usage meter on its own: requests, rows, alarm writes, active time of overlapping calls, the UTC day. */
import { describe, expect, it } from 'vitest';
import type { SqlCounters } from '../../src/shared/sql';
import { countSubrequest, SAVE_INTERVAL_MS, UsageMeter } from '../../src/shared/usage';

function meter(start = Date.UTC(2026, 5, 1, 12)) {
  let now = start;
  const sql = {} as SqlCounters;
  const m = new UsageMeter(sql, () => now);
  return { m, rows: (read: number, written: number) => sql.onRows?.(read, written), tick: (ms: number) => (now += ms) };
}

describe('UsageMeter', () => {
  it('counts requests, rows and alarm writes by activity', () => {
    const { m, rows } = meter();
    const send = m.begin('sends', true);
    rows(1, 1);
    m.alarmWrite();
    m.end(send);
    const run = m.begin('deliveries');
    countSubrequest();
    countSubrequest();
    rows(10, 2);
    m.end(run);
    const day = m.snapshot();
    expect(day).toMatchObject({ requests: 2, rowsRead: 11, rowsWritten: 4, alarmWrites: 1, workerRequests: 1, maxSubrequests: 2 });
    expect(day.activities.sends).toMatchObject({ requests: 1, rowsWritten: 2, workerRequests: 1 });
    expect(day.activities.deliveries).toMatchObject({ requests: 1, rowsRead: 10, rowsWritten: 2 });
  });

  it('bills a long poll as the upgrade (1 request) and each incoming WebSocket message as 1/20, active only while handled', () => {
    const { m, tick } = meter();
    const upgrade = m.begin('receives', true);
    tick(2);
    m.end(upgrade);
    tick(20_000); // hibernated: no handler runs, nothing is counted
    const close = m.begin('receives', false, 1 / 20);
    tick(1);
    m.end(close);
    const answer = m.begin('receives', false, 0); // a push inside a send already counted
    tick(1);
    m.end(answer);
    const day = m.snapshot();
    expect(day.requests).toBeCloseTo(1.05);
    expect(day.activeMs).toBe(4);
    expect(day.activities.receives).toMatchObject({ workerRequests: 1, activeMs: 4 });
  });

  it('bills overlapping calls once for their shared wall time', () => {
    const { m, tick } = meter();
    const poll = m.begin('receives', true);
    tick(1000);
    const send = m.begin('sends', true);
    tick(500);
    m.end(send);
    tick(1500);
    m.end(poll);
    const day = m.snapshot();
    expect(day.activeMs).toBe(3000);
    expect(day.activities.receives?.activeMs).toBe(3000);
    expect(day.activities.sends?.activeMs).toBe(500);
  });

  it('starts again at 00:00 UTC, and restores only today’s saved figures', () => {
    const { m, tick } = meter(Date.UTC(2026, 5, 1, 23, 59));
    m.end(m.begin('sends'));
    const saved = m.forSaving();
    expect(saved.requests).toBe(1);
    tick(2 * 60_000);
    expect(m.snapshot()).toMatchObject({ day: '2026-06-02', requests: 0 });
    const next = meter(Date.UTC(2026, 5, 1, 23, 59, 30)).m;
    next.restore(saved, null);
    next.end(next.begin('pages'));
    expect(next.snapshot().requests).toBe(2);
    const tomorrow = meter(Date.UTC(2026, 5, 2, 0, 1)).m;
    tomorrow.restore(saved);
    expect(tomorrow.snapshot().requests).toBe(0);
  });

  it('asks for a save only after activity and SAVE_INTERVAL_MS since the start or the last save', () => {
    const { m, tick } = meter();
    expect(m.saveDue()).toBe(false);
    m.end(m.begin('sends'));
    expect(m.saveDue()).toBe(false);
    tick(SAVE_INTERVAL_MS);
    expect(m.saveDue()).toBe(true);
    m.forSaving();
    expect(m.saveDue()).toBe(false);
  });
});
