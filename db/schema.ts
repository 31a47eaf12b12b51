// The schema, one file per area under db/schema/. Everything imports tables from here.
export * from "./schema/reference.js";
export * from "./schema/orgs.js";
export * from "./schema/enterprises.js";
export * from "./schema/members.js";
export * from "./schema/accounts.js";
export * from "./schema/rosters.js";
export * from "./schema/transfers.js";
export * from "./schema/statistics.js";
export * from "./schema/recruitment.js";
export * from "./schema/jurisdiction.js";
export * from "./schema/membership.js";
export * from "./schema/dues.js";
export * from "./schema/meetings.js";
export * from "./schema/official-tables.js";
