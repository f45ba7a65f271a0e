import { describe, expect, it } from 'vitest';
import { latencyGeometry } from '../../../src/web/pages/chart';

describe('latency chart', () => {
  it('scales points into the plot and marks failures', () => {
    const g = latencyGeometry(
      [
        { at: 3, latencyMs: null, ok: false },
        { at: 1, latencyMs: 50, ok: true },
        { at: 2, latencyMs: 100, ok: true },
      ],
      320,
      96,
    );
    expect(g.maxMs).toBe(100);
    expect(g.points).toEqual([
      [44, 43],
      [178, 8],
    ]);
    expect(g.failures).toEqual([312]);
  });
});
