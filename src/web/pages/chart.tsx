/** Inline SVG charts: no script, no external CDN, so they render under a strict CSP and without JavaScript. */
import type { LatencyPoint } from '../views';

export interface ChartGeometry {
  width: number;
  height: number;
  /** largest value on the y axis, rounded up to a readable step */
  maxMs: number;
  /** [x, y] of each successful point, oldest first */
  points: [number, number][];
  /** x of each failed ping (drawn as a red tick on the x axis) */
  failures: number[];
}

const PAD = { left: 44, right: 8, top: 8, bottom: 18 };

/** Pure layout of a latency series, separate from rendering so it can be tested. */
export function latencyGeometry(series: LatencyPoint[], width = 320, height = 96): ChartGeometry {
  const ordered = [...series].sort((a, b) => a.at - b.at);
  const values = ordered.filter((p) => p.ok && p.latencyMs !== null).map((p) => p.latencyMs as number);
  const maxMs = niceCeiling(Math.max(10, ...values));
  const innerW = width - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  const xOf = (i: number) => PAD.left + (ordered.length <= 1 ? innerW / 2 : (i / (ordered.length - 1)) * innerW);
  const points: [number, number][] = [];
  const failures: number[] = [];
  ordered.forEach((p, i) => {
    const x = round(xOf(i));
    if (p.ok && p.latencyMs !== null) points.push([x, round(PAD.top + innerH - (p.latencyMs / maxMs) * innerH)]);
    else failures.push(x);
  });
  return { width, height, maxMs, points, failures };
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** `noun` names what the points are ("pings", "invocations") in the accessible label. */
export function LatencyChart(props: { title: string; series: LatencyPoint[]; noun?: string }) {
  const g = latencyGeometry(props.series);
  const bottom = g.height - PAD.bottom;
  const noun = props.noun ?? 'pings';
  const label = `${props.title}: ${g.points.length} successful, ${g.failures.length} failed ${noun}; axis up to ${g.maxMs} ms`;
  return (
    <svg class="chart" role="img" aria-label={label} width={g.width} height={g.height} viewBox={`0 0 ${g.width} ${g.height}`} xmlns="http://www.w3.org/2000/svg">
      <title>{label}</title>
      <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={bottom} />
      <line class="axis" x1={PAD.left} y1={bottom} x2={g.width - PAD.right} y2={bottom} />
      <text class="tick" x={PAD.left - 4} y={PAD.top + 8} text-anchor="end">{`${g.maxMs} ms`}</text>
      <text class="tick" x={PAD.left - 4} y={bottom} text-anchor="end">0</text>
      {g.points.length > 1 && <polyline class="series" points={g.points.map(([x, y]) => `${x},${y}`).join(' ')} />}
      {g.points.map(([x, y]) => (
        <circle class="point" cx={x} cy={y} r="2.5" />
      ))}
      {g.failures.map((x) => (
        <line class="failure" x1={x} y1={bottom - 6} x2={x} y2={bottom + 4} />
      ))}
    </svg>
  );
}

export interface BarGeometry {
  width: number;
  height: number;
  /** largest value on the y axis, rounded up to a readable step */
  max: number;
  bars: { x: number; y: number; w: number; h: number; label: string; value: number }[];
}

/** Pure layout of a bar per labelled value (cold starts per day), oldest first. */
export function barGeometry(series: { label: string; value: number }[], width = 320, height = 96): BarGeometry {
  const max = niceCeiling(Math.max(1, ...series.map((s) => s.value)));
  const innerW = width - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, series.length);
  const w = round(Math.min(24, Math.max(1, slot * 0.7)));
  const bars = series.map((s, i) => {
    const h = round((s.value / max) * innerH);
    return { x: round(PAD.left + i * slot + (slot - w) / 2), y: round(PAD.top + innerH - h), w, h, label: s.label, value: s.value };
  });
  return { width, height, max, bars };
}

/** Counts per label as bars (inline SVG, no script); each bar's <title> names its label and value. */
export function BarChart(props: { title: string; series: { label: string; value: number }[]; unit: string }) {
  const g = barGeometry(props.series);
  const bottom = g.height - PAD.bottom;
  const total = props.series.reduce((n, s) => n + s.value, 0);
  const label = `${props.title}: ${total} ${props.unit} over ${props.series.length} days; axis up to ${g.max}`;
  return (
    <svg class="chart" role="img" aria-label={label} width={g.width} height={g.height} viewBox={`0 0 ${g.width} ${g.height}`} xmlns="http://www.w3.org/2000/svg">
      <title>{label}</title>
      <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={bottom} />
      <line class="axis" x1={PAD.left} y1={bottom} x2={g.width - PAD.right} y2={bottom} />
      <text class="tick" x={PAD.left - 4} y={PAD.top + 8} text-anchor="end">{String(g.max)}</text>
      <text class="tick" x={PAD.left - 4} y={bottom} text-anchor="end">0</text>
      {g.bars.map((b) => (
        <rect class="bar" x={b.x} y={b.y} width={b.w} height={b.h}>
          <title>{`${b.label}: ${b.value}`}</title>
        </rect>
      ))}
      {g.bars.length > 0 && (
        <text class="tick" x={g.width - PAD.right} y={g.height - 4} text-anchor="end">
          {g.bars.at(-1)?.label}
        </text>
      )}
    </svg>
  );
}
