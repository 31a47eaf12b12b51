// Charts rendered on the server as SVG with ECharts' server-side renderer: readable with JavaScript
// off, and our own markup (user-controlled text such as organization names is escaped by ECharts'
// SVG renderer; tests/unit/coverage/charts.test.ts holds it to that). The numbers are also given to
// the views as tables for screen readers.
//
// Pages embed a chart as <img src="data:image/svg+xml;charset=utf-8,…" alt="…">: ECharts puts font
// sizes in style attributes, which our CSP (style-src 'self') would strip from inline SVG; an SVG
// image is its own document, never runs script, and the alt text carries the description.

import * as echarts from "echarts";
import type { FunnelRow } from "./coverage.service.js";
import type { TrendPoint } from "./snapshots.js";

const FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";
const COLORS = ["#c0392b", "#e67e22", "#2e86c1", "#27ae60", "#8e44ad"];

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * ECharts escapes text content but not attribute values: only our own constants go into options that
 * become attributes (colors, the font list, which is why it has no quotes). The description of the
 * chart for assistive technology is added here, escaped.
 */
export type Chart = { svg: string; alt: string; width: number; height: number };

// Rendering a chart costs more than counting its numbers once the sums are kept (partitions.ts):
// ~30 ms each idle, most of the dashboard after a write. The same option draws the same SVG, so a
// chart is kept under its option (the data a formatter reads is in the option too: realValue, the
// label), and a write redraws only the charts whose numbers it changed.
const drawn = new Map<string, Chart>();
const DRAWN_MAX = 500;

function render(option: echarts.EChartsOption, width: number, height: number, label: string): Chart {
  const key = JSON.stringify([option, width, height, label]);
  const hit = drawn.get(key);
  if (hit) {
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const chart = draw(option, width, height, label);
  drawn.set(key, chart);
  while (drawn.size > DRAWN_MAX) drawn.delete(drawn.keys().next().value as string);
  return chart;
}

function draw(option: echarts.EChartsOption, width: number, height: number, label: string): Chart {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: COLORS, textStyle: { fontFamily: FONT }, ...option });
    const svg = plainerSvg(sameClassNames(chart.renderToSVGString())).replace(
      /^<svg /,
      `<svg role="img" aria-label="${escapeAttr(label)}" `,
    );
    return { svg, alt: label, width, height };
  } finally {
    chart.dispose();
  }
}

/**
 * ECharts writes the font list into every text element's style (a third of a 20-bar chart); it is
 * our one constant, so it is said once, in a style rule of the SVG document. Its `ecmeta_*`
 * attributes are for interaction in a browser's ECharts, which an image never has.
 */
function plainerSvg(svg: string): string {
  const inline = `font-family:${FONT};`;
  const bare = svg.replace(/ ecmeta_[a-z_]+="[^"]*"/g, "");
  if (!bare.includes(inline)) return bare;
  return bare.replaceAll(inline, "").replace(/^(<svg [^>]*>)/, `$1<style>text{font-family:${FONT}}</style>`);
}

/**
 * ZRender names a chart's style classes and clip paths after counters that live as long as the
 * process (zr7-cls-37: the eighth chart drawn, its 38th class; zr15-c0): the same chart drawn in
 * another process or thread — the counting thread, a CLI — came out different bytes. Numbered from
 * zero per chart and kind, in order of first use, a chart is the same bytes wherever it is drawn.
 */
function sameClassNames(svg: string): string {
  const names = new Map<string, string>();
  const perKind = new Map<string, number>();
  return svg.replace(/\bzr\d+-([a-z]+)(-?)\d+\b/g, (name, kind: string, dash: string) => {
    let same = names.get(name);
    if (!same) {
      const n = perKind.get(kind) ?? 0;
      perKind.set(kind, n + 1);
      same = `zr0-${kind}${dash}${n}`;
      names.set(name, same);
    }
    return same;
  });
}

/**
 * The chart as an image URL for <img src>: the SVG as text, percent-encoded only where a URL or an
 * HTML attribute needs it, CJK left as it is. Base64 made a province's dashboard 150 KB of charts
 * (four bytes for every three, and a Chinese label is three bytes a character); as text they are a
 * third smaller, and nothing in them is left for the view's escaping to lengthen.
 */
export function chartDataUri(chart: Chart): string {
  return `data:image/svg+xml;charset=utf-8,${chart.svg.replace(/[%#"&'<>\t\n\r]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)}`;
}

const pct = (v: number | null) => (v === null ? "-" : Math.round(v * 1000) / 10);

/** Shortens long names for axis labels (the full names are in the table beside the chart). */
function shortName(s: string, max = 10): string {
  const t = s.replace(/^中共/, "").replace(/委员会$/, "");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export type RateBarRow = { label: string; orgCoverageRate: number | null; workCoverageRate: number | null };

/** Organization and work coverage rates per committee or county: horizontal bars, in percent. */
export function coverageRateBars(rows: RateBarRow[], opts: { title: string; width?: number }): Chart {
  const height = Math.max(160, 70 + rows.length * 34);
  return render(
    {
      title: { text: opts.title, left: 0, textStyle: { fontSize: 14 } },
      legend: { top: 0, right: 0, data: ["党的组织覆盖率", "党的工作覆盖率"] },
      grid: { left: 8, right: 48, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => shortName(r.label, 12)) },
      series: [
        {
          name: "党的组织覆盖率",
          type: "bar",
          data: rows.map((r) => pct(r.orgCoverageRate)),
          label: { show: true, position: "right", formatter: "{c}%" },
        },
        {
          name: "党的工作覆盖率",
          type: "bar",
          data: rows.map((r) => pct(r.workCoverageRate)),
          label: { show: true, position: "right", formatter: "{c}%" },
        },
      ],
    },
    opts.width ?? 640,
    height,
    `${opts.title}：${rows.map((r) => `${r.label} 组织覆盖率 ${pct(r.orgCoverageRate)}%，工作覆盖率 ${pct(r.workCoverageRate)}%`).join("；")}`,
  );
}

/** The four finds: the overall funnel (workers → found → verified → managed) and the three stages per channel. */
export function fourFindsChart(rows: FunnelRow[], opts: { width?: number } = {}): Chart {
  const all = rows.find((r) => r.channel === "all");
  const channels = rows.filter((r) => r.channel !== "all");
  const width = opts.width ?? 640;
  const stages = [
    { name: "花名册从业人员", value: all?.workers ?? 0 },
    { name: "摸排发现", value: all?.found ?? 0 },
    { name: "已核实", value: all?.verified ?? 0 },
    { name: "已纳管", value: all?.managed ?? 0 },
  ];
  return render(
    {
      title: [
        { text: "“四找”摸排纳管", left: 0, textStyle: { fontSize: 14 } },
        { text: "按发现渠道", left: "52%", textStyle: { fontSize: 12, fontWeight: "normal" } },
      ],
      legend: { bottom: 0, left: "52%", data: ["摸排发现", "已核实", "已纳管"] },
      grid: { left: "52%", right: 8, top: 40, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: channels.map((r) => r.label.replace(/找$/, "")), axisLabel: { interval: 0, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: "四找漏斗",
          type: "funnel",
          left: 0,
          top: 40,
          bottom: 8,
          width: "48%",
          sort: "none",
          minSize: "12%",
          // Widths by rank, not by value: workers outnumber members a hundredfold.
          data: stages.map((s, i) => ({ name: s.name, value: 4 - i, realValue: s.value })),
          label: {
            show: true,
            position: "inside",
            formatter: (p: { dataIndex: number }) => `${stages[p.dataIndex]!.name}\n${stages[p.dataIndex]!.value.toLocaleString("en")}`,
          },
        },
        { name: "摸排发现", type: "bar", data: channels.map((r) => r.found), label: { show: true, position: "top", fontSize: 10 } },
        { name: "已核实", type: "bar", data: channels.map((r) => r.verified), label: { show: true, position: "top", fontSize: 10 } },
        { name: "已纳管", type: "bar", data: channels.map((r) => r.managed), label: { show: true, position: "top", fontSize: 10 } },
      ] as echarts.SeriesOption[],
    },
    width,
    300,
    `四找摸排纳管：${stages.map((s) => `${s.name} ${s.value}`).join("，")}`,
  );
}

function monthLabel(month: string, first: boolean): string {
  const [y, m] = month.split("-") as [string, string];
  return first || m === "01" ? `${y.slice(2)}年${Number(m)}月` : `${Number(m)}月`;
}

/** Twelve months of the two coverage rates (left axis) and managed members (right axis). */
export function trendChart(points: TrendPoint[], opts: { width?: number } = {}): Chart {
  return render(
    {
      title: { text: "近12个月趋势", left: 0, textStyle: { fontSize: 14 } },
      legend: { top: 0, right: 0, data: ["党的组织覆盖率", "党的工作覆盖率", "已纳管党员"] },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", axisLabel: { interval: 0, fontSize: 11 }, data: points.map((p, i) => monthLabel(p.month, i === 0)) },
      yAxis: [
        { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        { type: "value", minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: "党的组织覆盖率", type: "line", connectNulls: false, data: points.map((p) => pct(p.orgCoverageRate)) },
        { name: "党的工作覆盖率", type: "line", connectNulls: false, data: points.map((p) => pct(p.workCoverageRate)) },
        {
          name: "已纳管党员",
          type: "bar",
          yAxisIndex: 1,
          barMaxWidth: 18,
          itemStyle: { opacity: 0.35 },
          data: points.map((p) => p.managed ?? "-"),
        },
      ],
    },
    opts.width ?? 640,
    280,
    `近12个月趋势：${points.map((p) => `${p.month} 组织覆盖率 ${pct(p.orgCoverageRate)}%`).join("，")}`,
  );
}
