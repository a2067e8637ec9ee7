/**
 * Dependency-free SVG bar charts for docs/benchmarks/: one grouped vertical bar chart, a y axis in
 * the chart's unit with round tick values, a label on every bar with its exact value, a legend.
 * Output is deterministic (same input, same bytes) so regenerated charts diff cleanly.
 */

export interface BarSeries {
  readonly name: string;
  /** One value per group, in group order; null = not measured (no bar, "n/a" label). */
  readonly values: ReadonlyArray<number | null>;
}

export interface BarChartSpec {
  readonly title: string;
  /** y axis label, with its unit: `requests/s`, `ms`, `messages per round trip`. */
  readonly yLabel: string;
  /** x axis label (what the groups are): `in-flight publishes`, `arrival rate (req/s)`. */
  readonly xLabel: string;
  readonly groups: readonly string[];
  readonly series: readonly BarSeries[];
}

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { top: 56, right: 24, bottom: 64, left: 80 };
/** Colour-blind-safe (Okabe–Ito). */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A value as the charts and tables print it: integers above 100, else up to 2 decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return String(Math.round(value * 10) / 10);
  return String(Math.round(value * 100) / 100);
}

/** The smallest "nice" axis top (1, 2, 2.5, 5 × 10^n) at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

const n = (value: number): string => String(Math.round(value * 10) / 10);

export function barChart(spec: BarChartSpec): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = spec.series.flatMap((s) =>
    s.values.filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  // 12 % headroom above the tallest bar keeps its value label clear of the legend.
  const top = niceMax(Math.max(0, ...values) * 1.12);
  const y = (v: number): number => MARGIN.top + plotH - (Math.max(0, v) / top) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `role="img" aria-label="${escapeXml(spec.title)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  );
  // y axis: 5 intervals, grid lines, tick labels, axis label.
  for (let i = 0; i <= 5; i += 1) {
    const v = (top * i) / 5;
    const ty = y(v);
    out.push(
      `<line x1="${MARGIN.left}" y1="${n(ty)}" x2="${WIDTH - MARGIN.right}" y2="${n(ty)}" stroke="${i === 0 ? '#333333' : '#e0e0e0'}"/>`,
      `<text x="${MARGIN.left - 8}" y="${n(ty + 4)}" text-anchor="end" fill="#333333">${escapeXml(formatNumber(v))}</text>`,
    );
  }
  const midY = MARGIN.top + plotH / 2;
  out.push(
    `<text x="18" y="${n(midY)}" text-anchor="middle" transform="rotate(-90 18 ${n(midY)})" fill="#333333">${escapeXml(spec.yLabel)}</text>`,
    `<text x="${n(MARGIN.left + plotW / 2)}" y="${HEIGHT - 14}" text-anchor="middle" fill="#333333">${escapeXml(spec.xLabel)}</text>`,
  );
  // Bars: each group gets an equal slot; bars fill 80 % of it.
  const slot = plotW / Math.max(1, spec.groups.length);
  const barW = (slot * 0.8) / Math.max(1, spec.series.length);
  spec.groups.forEach((group, g) => {
    const x0 = MARGIN.left + g * slot + slot * 0.1;
    spec.series.forEach((series, s) => {
      const value = series.values[g] ?? null;
      const x = x0 + s * barW;
      const colour = COLOURS[s % COLOURS.length] ?? '#000000';
      if (value === null || !Number.isFinite(value)) {
        out.push(
          `<text x="${n(x + barW / 2)}" y="${n(y(0) - 4)}" text-anchor="middle" fill="#777777" data-series="${escapeXml(series.name)}">n/a</text>`,
        );
        return;
      }
      const by = y(value);
      out.push(
        `<rect x="${n(x + 1)}" y="${n(by)}" width="${n(Math.max(1, barW - 2))}" height="${n(y(0) - by)}" fill="${colour}" ` +
          `data-series="${escapeXml(series.name)}" data-group="${escapeXml(group)}" data-value="${value}">` +
          `<title>${escapeXml(`${series.name}, ${group}: ${formatNumber(value)} ${spec.yLabel}`)}</title></rect>`,
        `<text x="${n(x + barW / 2)}" y="${n(by - 4)}" text-anchor="middle" font-size="11" fill="#111111">${escapeXml(formatNumber(value))}</text>`,
      );
    });
    out.push(
      `<text x="${n(MARGIN.left + g * slot + slot / 2)}" y="${n(y(0) + 18)}" text-anchor="middle" fill="#111111">${escapeXml(group)}</text>`,
    );
  });
  // Legend, top right, one row.
  let lx = WIDTH - MARGIN.right;
  const legend: string[] = [];
  for (let s = spec.series.length - 1; s >= 0; s -= 1) {
    const name = spec.series[s]?.name ?? '';
    const w = 18 + name.length * 6.5;
    lx -= w + 12;
    legend.push(
      `<rect x="${n(lx)}" y="32" width="12" height="12" fill="${COLOURS[s % COLOURS.length] ?? '#000000'}"/>`,
      `<text x="${n(lx + 16)}" y="42" fill="#111111">${escapeXml(name)}</text>`,
    );
  }
  out.push(...legend.reverse(), '</svg>');
  return `${out.join('\n')}\n`;
}
