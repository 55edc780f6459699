/**
 * A streaming time-series chart on uPlot (canvas, made for fast-moving
 * series). The uPlot instance is created once; new data goes in with
 * `setData`, so a redraw costs one canvas paint, not a React re-render of the
 * plot. Width follows the card (ResizeObserver).
 *
 * The legend is a readout of the point under the cursor: while the cursor is
 * off the chart it shows nothing (uPlot would show "Time: --"); the key of
 * the lines stays in the card's header.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line {
  label: string;
  color: string;
  /** Scale key: lines with another key get their own axis on the right. */
  scale?: string;
  fill?: boolean;
  format?: (v: number) => string;
}

interface Props {
  title: string;
  subtitle?: string;
  /** Seconds since the epoch, ascending. */
  x: number[];
  /** One array per line, aligned with `x` (null: no value). */
  ys: Array<Array<number | null>>;
  lines: Line[];
  height?: number;
  testId?: string;
}

const AXIS = {
  stroke: '#6b7280',
  grid: { stroke: '#eef0f4', width: 1 },
  ticks: { stroke: '#e5e7eb', width: 1 },
  font: '11px Inter, system-ui, sans-serif',
};

function compact(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** Flags the plot while no point is under the cursor, so the CSS hides the legend's empty readout. */
function markCursor(u: uPlot): void {
  u.root.classList.toggle('u-cursor-off', u.cursor.idx == null);
}

function options(lines: Line[], width: number, height: number): uPlot.Options {
  const scales = [...new Set(lines.map((l) => l.scale ?? 'y'))];
  return {
    width,
    height,
    padding: [8, 18, 0, 0],
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { show: true, live: true },
    hooks: { setLegend: [markCursor] },
    scales: {
      x: { time: true },
      ...Object.fromEntries(
        scales.map((s) => [
          s,
          { range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [Math.min(0, min), max <= 0 ? 1 : max * 1.15] },
        ]),
      ),
    },
    axes: [
      {
        ...AXIS,
        space: 70,
        values: (_u: uPlot, ticks: number[]) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString('en-GB', { hour12: false })),
      },
      ...scales.map((scale, i) => ({
        ...AXIS,
        scale,
        side: i === 0 ? 3 : 1,
        size: 48,
        values: (_u: uPlot, ticks: number[]) => ticks.map(compact),
        grid: { ...AXIS.grid, show: i === 0 },
      })),
    ],
    series: [
      // The readout's time as the axis writes it (uPlot's default is a date to the minute).
      { value: (_u: uPlot, t: number | null) => (t === null ? '' : new Date(t * 1000).toLocaleTimeString('en-GB', { hour12: false })) },
      ...lines.map((l) => ({
        label: l.label,
        stroke: l.color,
        width: 2,
        scale: l.scale ?? 'y',
        fill: l.fill ? `${l.color}1f` : undefined,
        points: { show: false },
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : (l.format ?? compact)(v)),
      })),
    ],
  };
}

/** Seconds without a point after which a line breaks instead of bridging the gap (e.g. the app was stopped). */
const GAP_SECONDS = 5;

/** Inserts an empty point in every gap longer than GAP_SECONDS, so uPlot draws a break there. */
function withBreaks(x: number[], ys: Array<Array<number | null>>): uPlot.AlignedData {
  const bx: number[] = [];
  const bys: Array<Array<number | null>> = ys.map(() => []);
  for (let i = 0; i < x.length; i++) {
    if (i > 0 && x[i]! - x[i - 1]! > GAP_SECONDS) {
      bx.push((x[i]! + x[i - 1]!) / 2);
      for (const col of bys) col.push(null);
    }
    bx.push(x[i]!);
    ys.forEach((y, j) => {
      bys[j]!.push(y[i] ?? null);
    });
  }
  return [bx, ...bys];
}

export function Chart({ title, subtitle, x, ys, lines, height = 200, testId }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = withBreaks(x, ys);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the plot is built once per set of line labels and height (`lines` is a new array every render); `data` flows in through setData in the effect below.
  useEffect(() => {
    const el = holder.current!;
    const u = new uPlot(options(lines, Math.max(200, el.clientWidth), height), data, el);
    plot.current = u;
    markCursor(u);
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [lines.map((l) => l.label).join('|'), height]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <section className="card chart" data-testid={testId} data-points={x.length}>
      <header>
        <h3>{title}</h3>
        {subtitle && <span className="muted small">{subtitle}</span>}
      </header>
      {lines.length > 1 && (
        <ul className="chart-key" aria-label={`${title}: lines`}>
          {lines.map((l) => (
            <li key={l.label}>
              <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
              {l.label}
            </li>
          ))}
        </ul>
      )}
      <div className="plot-wrap">
        <div ref={holder} className="plot" />
        {x.length === 0 && <div className="plot-empty">Waiting for the first points…</div>}
      </div>
    </section>
  );
}
