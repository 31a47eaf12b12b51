import { describe, expect, it } from "vitest";
import { chartDataUri, coverageRateBars, fourFindsChart, trendChart } from "../../../server/services/coverage/charts.js";
import type { FunnelRow } from "../../../server/services/coverage/coverage.service.js";
import type { TrendPoint } from "../../../server/services/coverage/snapshots.js";

const EVIL = `<script>alert(1)</script>" onload="alert(2)' &amp;`;

/** Every opened element is closed, and nothing but our own elements appear. */
function assertSafeSvg(svg: string) {
  expect(svg.startsWith("<svg ")).toBe(true);
  expect(svg.endsWith("</svg>")).toBe(true);
  expect(svg.toLowerCase()).not.toContain("<script");
  const tags = [...svg.matchAll(/<\/?([a-zA-Z]+)[^>]*?(\/?)>/g)];
  for (const [whole] of tags) {
    // Every attribute is name="value" with no raw quote inside, and none is an event handler.
    expect(whole).toMatch(/^<\/?[a-zA-Z]+(\s+[a-zA-Z_:-]+="[^"<>]*")*\s*\/?>$/);
    for (const [, attr] of whole.matchAll(/\s([a-zA-Z_:-]+)="/g)) expect(attr!.toLowerCase().startsWith("on")).toBe(false);
  }
  const stack: string[] = [];
  for (const [whole, name, selfClosing] of tags) {
    if (selfClosing) continue;
    if (whole.startsWith("</")) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  const allowed = new Set([
    "svg",
    "g",
    "path",
    "text",
    "rect",
    "defs",
    "clipPath",
    "tspan",
    "circle",
    "title",
    "style",
    "polyline",
    "polygon",
    "line",
  ]);
  for (const [, name] of tags) expect(allowed.has(name!)).toBe(true);
}

describe("server-side charts", () => {
  it("escape organization names that carry markup, in the labels and the description", () => {
    const chart = coverageRateBars(
      [
        { label: EVIL, orgCoverageRate: 0.5, workCoverageRate: 0.75 },
        { label: "曹县", orgCoverageRate: null, workCoverageRate: null },
      ],
      { title: "按行业党委" },
    );
    const svg = chart.svg;
    assertSafeSvg(svg);
    expect(chart.alt).toContain(EVIL); // the view escapes the alt attribute (EJS <%= %>)
    // The image URL is the SVG itself, with nothing in it that an HTML attribute or a URL would read as its own.
    const uri = chartDataUri(chart);
    expect(uri.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
    expect(uri).not.toMatch(/["'<>&#\t\n\r]/);
    expect(decodeURIComponent(uri.slice("data:image/svg+xml;charset=utf-8,".length))).toBe(svg);
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).toMatch(/aria-label="按行业党委：&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot; onload=&quot;alert\(2\)&#39; &amp;amp;/);
    expect(svg).toContain(">50%<");
    expect(svg).toContain(">75%<");
  });

  it("render the four-finds funnel and the trend, gaps included", () => {
    const rows: FunnelRow[] = [
      { channel: "all", label: "合计", workers: 70000, found: 1839, verified: 1200, managed: 715 },
      { channel: "self_report", label: "办法即时找", workers: null, found: 300, verified: 200, managed: 100 },
      { channel: "data_match", label: "数据交互线上找", workers: null, found: 900, verified: 600, managed: 400 },
      { channel: "platform_report", label: "平台公司实时找", workers: null, found: 400, verified: 250, managed: 150 },
      { channel: "field_visit", label: "深入基层线下找", workers: null, found: 239, verified: 150, managed: 65 },
    ];
    const funnel = fourFindsChart(rows).svg;
    assertSafeSvg(funnel);
    expect(funnel).toContain("70,000");
    expect(funnel).toContain(">715<");
    const points: TrendPoint[] = Array.from({ length: 12 }, (_, i) => ({
      month: `2026-${String(i + 1).padStart(2, "0")}`,
      from: i < 3 ? "none" : "snapshot",
      enterprises: i < 3 ? null : 10,
      orgCoverage: null,
      workCoverage: null,
      orgCoverageRate: i < 3 ? null : 0.5,
      workCoverageRate: i < 3 ? null : 0.7,
      managed: i < 3 ? null : 100 + i,
      foundManaged: null,
      verified: null,
    }));
    const trend = trendChart(points).svg;
    assertSafeSvg(trend);
    expect(trend).toContain(">26年1月<");
    expect(trend).toContain(">12月<");
  });

  it("name their style classes the same wherever and whenever they are drawn (another process or thread draws them too)", () => {
    const rows = [
      { label: "甲", orgCoverageRate: 0.5, workCoverageRate: 0.75 },
      { label: "乙", orgCoverageRate: 0.2, workCoverageRate: null },
    ];
    const classes = (svg: string) => [...svg.matchAll(/zr\d+-[a-z]+-?\d+/g)].map(([name]) => name);
    const first = coverageRateBars(rows, { title: "第一次" }).svg;
    for (let i = 0; i < 3; i++) fourFindsChart([]);
    const later = coverageRateBars(rows, { title: "后来" }).svg;
    // The trend draws clip paths (zr15-c0) as well as classes.
    const points = (managed: number): TrendPoint[] =>
      ["2026-01", "2026-02", "2026-03"].map((month, i) => ({
        month,
        from: "snapshot",
        enterprises: 10,
        orgCoverage: null,
        workCoverage: null,
        orgCoverageRate: 0.1 * i,
        workCoverageRate: 0.2 * i,
        managed: managed + i,
        foundManaged: null,
        verified: null,
      }));
    const trendFirst = trendChart(points(100)).svg;
    coverageRateBars(rows, { title: "其间" });
    const trendLater = trendChart(points(200)).svg;
    expect(classes(trendFirst).some((n) => /-c\d/.test(n))).toBe(true);
    expect(classes(trendLater)).toEqual(classes(trendFirst));
    expect(classes(first).length).toBeGreaterThan(0);
    expect(classes(later)).toEqual(classes(first));
    expect(classes(first)[0]).toBe("zr0-cls-0");
  });
});
