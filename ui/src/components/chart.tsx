/**
 * A time chart (uPlot) of the API's `*_details.samples`: either lengths (messages ready, unacked…)
 * drawn as they are, or counters (publish, deliver, ack…) drawn as the rate between consecutive
 * samples, as RabbitMQ's UI does. The samples come with the page's data, from the history the
 * broker keeps, so the chart is full as soon as the page opens.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { bytes, count, rate } from '../format.js';
import { Options } from './options.js';

export interface Sample {
  readonly sample: number;
  readonly timestamp: number;
}

export interface Details {
  readonly rate?: number;
  readonly samples?: readonly Sample[];
}

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly details: Details | undefined;
  /** The current value shown in the legend (a count, or a rate for rate charts). */
  readonly current?: number | undefined;
}

export interface ChartProps {
  readonly title: string;
  /** 'lengths': values as sampled; 'rates': per-second rates between samples. */
  readonly kind: 'lengths' | 'rates';
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  /** What a rate counts: messages (default, "12/s") or bytes ("1.2 KiB/s", for data rates). */
  readonly unit?: 'messages' | 'bytes';
}

/** Axis steps for byte rates: powers of two, so ticks fall on whole KiB and MiB. */
const BYTE_STEPS = Array.from({ length: 41 }, (_, i) => 2 ** i);

function rateText(unit: 'messages' | 'bytes', r: number): string {
  return unit === 'bytes' ? `${bytes(Math.round(r))}/s` : rate(r);
}

/** x (seconds) and one y array per series, oldest first; rates need two samples per point. */
export function chartData(kind: 'lengths' | 'rates', series: readonly ChartSeries[]): [number[], ...number[][]] {
  const stamps = new Set<number>();
  for (const s of series) for (const p of s.details?.samples ?? []) stamps.add(p.timestamp);
  let xs = [...stamps].sort((a, b) => a - b);
  const ys = series.map((s) => {
    const byTime = new Map<number, number>();
    for (const p of s.details?.samples ?? []) byTime.set(p.timestamp, p.sample);
    if (kind === 'lengths') return xs.map((t) => byTime.get(t) ?? 0);
    return xs.map((t, i) => {
      if (i === 0) return 0;
      const prevT = xs[i - 1]!;
      const now = byTime.get(t);
      const before = byTime.get(prevT);
      if (now === undefined || before === undefined || t === prevT) return 0;
      return Math.max(0, ((now - before) * 1000) / (t - prevT));
    });
  });
  if (kind === 'rates' && xs.length > 1) {
    xs = xs.slice(1);
    for (let i = 0; i < ys.length; i++) ys[i] = ys[i]!.slice(1);
  }
  return [xs.map((t) => t / 1000), ...ys];
}

/** The highest value a chart draws (0 for an empty or flat chart): its `data-max`. */
export function chartMax([, ...ys]: readonly (readonly number[])[]): number {
  let max = 0;
  for (const y of ys) for (const v of y) max = Math.max(max, v);
  return max;
}

export function Chart({ title, kind, series, height = 180, unit = 'messages' }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = chartData(kind, series);
  const points = data[0].length;
  const max = chartMax(data);
  const labels = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (el === null) return undefined;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#666', grid: { stroke: '#eee' } },
        {
          stroke: '#666',
          grid: { stroke: '#eee' },
          size: unit === 'bytes' ? 84 : 60,
          ...(unit === 'bytes' ? { incrs: BYTE_STEPS } : {}),
          ...(kind === 'lengths' ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9] } : {}),
          values: (_u, vals) => vals.map((v) => (kind === 'rates' ? rateText(unit, v) : count(v))),
        },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: `${s.color}22`, points: { show: false } }))],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The plot is rebuilt only when the set of series changes; new data goes through setData.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labels, kind, height, unit]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <section class="chart" data-chart={title} data-points={points} data-max={max} data-kind={kind}>
      <div class="chart-head">
        <h3>{title}</h3>
        <RangeSelect />
      </div>
      <div class="chart-plot" ref={box} />
      <table class="chart-legend">
        <tbody>
          {series.map((s) => (
            <tr key={s.label}>
              <td>
                <span class="swatch" style={{ background: s.color }} />
                {s.label}
              </td>
              <td class="num" data-legend={s.label}>
                {kind === 'rates' ? rateText(unit, s.current ?? s.details?.rate ?? 0) : count(s.current ?? 0)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The chart ranges the broker keeps history for (RabbitMQ's "Last minute", "Last ten minutes"). */
export const CHART_RANGES: readonly (readonly [number, string])[] = [
  [60, 'Last minute'],
  [600, 'Last ten minutes'],
];
export const CHART_RANGE_EVENT = 'warren:chart-range';

let rangeSeconds = ((): number => {
  const saved = Number(localStorage.getItem('warren.chartRange'));
  return CHART_RANGES.some(([s]) => s === saved) ? saved : 60;
})();

/** The range every chart shows, in seconds (chosen on any chart, kept in localStorage). */
export function chartRange(): number {
  return rangeSeconds;
}

export function setChartRange(seconds: number): void {
  rangeSeconds = seconds;
  localStorage.setItem('warren.chartRange', String(seconds));
  dispatchEvent(new Event(CHART_RANGE_EVENT));
}

/** RabbitMQ's query for histories: the last `age` seconds (the chosen range) every `incr` seconds. */
export function historyQuery(age = chartRange(), incr = 5): string {
  return `lengths_age=${age}&lengths_incr=${incr}&msg_rates_age=${age}&msg_rates_incr=${incr}`;
}

function RangeSelect() {
  return (
    <select class="chart-range" name="chart_range" value={chartRange()} onChange={(e) => setChartRange(Number(e.currentTarget.value))}>
      <Options choices={CHART_RANGES} />
    </select>
  );
}
