// Enterprises (企业) and which organization covers which (organization_enterprises): the area's
// entry. Who reads and changes an enterprise (access.ts), its coverage class (coverage.ts), the
// list (list.ts), its page (detail.ts), the record (record.ts) and the coverage links (links.ts).

export { canEditEnterprise, type Enterprise, enterpriseReadableSql, getEnterprise, getWritableEnterprise } from "./access.js";
export { type CoverageView, enterpriseCoverage } from "./coverage.js";
export { enterpriseDetail } from "./detail.js";
export { attachCoverage, removeCoverage } from "./links.js";
export { ENTERPRISE_PAGE_SIZE, type EnterpriseListRow, listEnterprises } from "./list.js";
export { createEnterprise, enterpriseFormOptions, updateEnterprise } from "./record.js";
