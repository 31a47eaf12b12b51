// Reference data: the four industries of new employment groups every database starts with (an
// administrator may add more), and the demo's jurisdiction. The regions of an installation come
// from its jurisdiction (domain/divisions.ts, services/jurisdiction/), never from a list here.

export const INDUSTRIES = [
  { code: "road_transport", name: "道路运输", sortOrder: 1 },
  { code: "online_delivery", name: "网约配送", sortOrder: 2 },
  { code: "express_delivery", name: "快递", sortOrder: 3 },
  { code: "live_streaming", name: "直播电商", sortOrder: 4 },
] as const;

/**
 * The demo city (`npm run demo`, the test fixtures): Heze, with the root code its fixtures and demo
 * accounts use. Any other installation derives its root from the division (domain/jurisdiction.ts).
 */
export const DEMO_JURISDICTION = {
  regionCode: "371700",
  rootCode: "HZ",
  rootName: "中共菏泽市委社会工作部",
  rootShortName: "市委社会工作部",
} as const;

/** The demo city's counties and districts the demo's organizations and people are spread over. */
export const COUNTIES = [
  { code: "371702", name: "牡丹区" },
  { code: "371703", name: "定陶区" },
  { code: "371721", name: "曹县" },
  { code: "371722", name: "单县" },
  { code: "371723", name: "成武县" },
  { code: "371724", name: "巨野县" },
  { code: "371725", name: "郓城县" },
  { code: "371726", name: "鄄城县" },
  { code: "371728", name: "东明县" },
  { code: "371771", name: "菏泽经济技术开发区" },
] as const;
