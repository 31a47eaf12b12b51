// Reference data every database starts with: Heze's administrative divisions (GB/T 2260) and the
// four industries of new employment groups. Codes of the counties are real; the development zone
// is a functional area with its own code.

export const PROVINCE = { code: "370000", name: "山东省" } as const;
export const CITY = { code: "371700", name: "菏泽市", shortName: "菏泽" } as const;

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

export const INDUSTRIES = [
  { code: "road_transport", name: "道路运输", sortOrder: 1 },
  { code: "online_delivery", name: "网约配送", sortOrder: 2 },
  { code: "express_delivery", name: "快递", sortOrder: 3 },
  { code: "live_streaming", name: "直播电商", sortOrder: 4 },
] as const;

/** The root of the organization tree on a new database. */
export const ROOT_ORG = {
  code: "HZ",
  name: "中共菏泽市委社会工作部",
  shortName: "市委社会工作部",
  kind: "city_department",
  regionCode: CITY.code,
} as const;
