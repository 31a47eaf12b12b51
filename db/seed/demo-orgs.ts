// The demo city's organization tree and enterprises, shaped like the seed article's Heze:
// four city industry committees, an online-delivery committee in each of the ten counties,
// a street comprehensive committee, standalone and joint branches ("单建+联建").

import type { Faker } from "@faker-js/faker";
import { eq } from "drizzle-orm";
import { COUNTIES } from "../../server/domain/reference-data.js";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { addDays, addMonths } from "../../server/domain/dates.js";
import type { Db } from "../client.js";
import { enterprises, instructorAssignments, instructors, organizationEnterprises, organizations } from "../schema.js";

type OrgRow = typeof organizations.$inferSelect;
type EnterpriseKind = typeof enterprises.$inferInsert.kind;

export type DemoOrgs = {
  root: OrgRow;
  committees: Record<"DL" | "PS" | "KD" | "ZB", OrgRow>;
  countyCommittees: OrgRow[];
  comprehensive: OrgRow;
  branches: OrgRow[];
  enterpriseIds: number[];
  /** enterprise id → the branch that covers it (standalone or joint), if any */
  coveredBy: Map<number, number>;
  /** enterprise id → committee id */
  committeeOf: Map<number, number>;
  /** enterprises that should get 3+ full members but have no standalone organization */
  shouldFormIds: number[];
};

const CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/** n written in the credit code's 31-character alphabet, left-padded to `len`. */
function inCreditAlphabet(n: number, len: number): string {
  let out = "";
  for (let v = n; out.length < len; v = Math.floor(v / 31)) out = CREDIT_ALPHABET[v % 31] + out;
  return out;
}

export function insertOrg(
  db: Db,
  parent: OrgRow | null,
  values: Omit<typeof organizations.$inferInsert, "path" | "depth" | "parentId">,
): OrgRow {
  const row = db
    .insert(organizations)
    .values({ ...values, parentId: parent?.id ?? null, path: "/", depth: parent ? parent.depth + 1 : 0 })
    .returning()
    .get();
  const path = `${parent ? parent.path : "/"}${row.id}/`;
  db.update(organizations).set({ path }).where(eq(organizations.id, row.id)).run();
  return { ...row, path };
}

const INDUSTRY_OF = { DL: "road_transport", PS: "online_delivery", KD: "express_delivery", ZB: "live_streaming" } as const;
const COMMITTEE_NAMES = {
  DL: ["中共菏泽市道路运输行业委员会", "市道路运输行业党委"],
  PS: ["中共菏泽市网约配送行业委员会", "市网约配送行业党委"],
  KD: ["中共菏泽市快递行业委员会", "市快递行业党委"],
  ZB: ["中共菏泽市直播电商行业委员会", "市直播电商行业党委"],
} as const;

/** Enterprise kinds and name suffixes per industry. */
const ENTERPRISE_SHAPES: Record<keyof typeof INDUSTRY_OF, { kind: EnterpriseKind; suffix: string }[]> = {
  DL: [
    { kind: "transport_company", suffix: "物流有限公司" },
    { kind: "transport_company", suffix: "货运有限公司" },
    { kind: "platform", suffix: "网约车服务有限公司" },
  ],
  PS: [
    { kind: "station", suffix: "配送站" },
    { kind: "franchisee", suffix: "餐饮配送服务有限公司" },
  ],
  KD: [
    { kind: "express_outlet", suffix: "快递网点" },
    { kind: "express_outlet", suffix: "速递营业部" },
  ],
  ZB: [
    { kind: "mcn_agency", suffix: "文化传媒有限公司" },
    { kind: "mcn_agency", suffix: "网络科技有限公司" },
  ],
};

export function seedOrgsAndEnterprises(db: Db, f: Faker, root: OrgRow, today: string): DemoOrgs {
  const term = (i: number) => {
    // Branch committees serve 3 years; some terms are past, some end soon, most are current.
    const start = addMonths(today, -((i * 7) % 40) - 1);
    return { termStartOn: start, termEndOn: addMonths(start, 36), foundedOn: addMonths(start, -((i * 5) % 30)) };
  };
  const committees = {} as DemoOrgs["committees"];
  for (const key of ["DL", "PS", "KD", "ZB"] as const) {
    committees[key] = insertOrg(db, root, {
      code: `HZ-${key}`,
      name: COMMITTEE_NAMES[key][0],
      shortName: COMMITTEE_NAMES[key][1],
      kind: "industry_committee",
      industryCode: INDUSTRY_OF[key],
      regionCode: "371700",
      secretaryName: f.person.fullName(),
      foundedOn: "2023-06-30",
      termStartOn: "2023-06-30",
      termEndOn: "2028-06-29",
    });
  }
  const countyCommittees = COUNTIES.map((c) =>
    insertOrg(db, committees.PS, {
      code: `HZ-PS-${c.code}`,
      name: `中共菏泽市${c.name}网约配送行业委员会`,
      shortName: `${c.name}网约配送行业党委`,
      kind: "industry_committee",
      industryCode: "online_delivery",
      regionCode: c.code,
      secretaryName: f.person.fullName(),
      foundedOn: "2024-03-15",
      termStartOn: "2024-03-15",
      termEndOn: "2029-03-14",
    }),
  );
  const comprehensive = insertOrg(db, root, {
    code: "HZ-ZH-XC",
    name: "中共菏泽市牡丹区西城街道“两新”组织综合委员会",
    shortName: "西城街道“两新”综合党委",
    kind: "comprehensive_committee",
    regionCode: "371702",
    secretaryName: f.person.fullName(),
    foundedOn: "2022-05-20",
  });

  const enterpriseIds: number[] = [];
  const committeeOf = new Map<number, number>();
  let creditSeq = 0;
  const addEnterprise = (committee: OrgRow, key: keyof typeof INDUSTRY_OF, regionCode: string) => {
    const shape = f.helpers.arrayElement(ENTERPRISE_SHAPES[key]);
    const county = COUNTIES.find((c) => c.code === regionCode);
    creditSeq++;
    const e = db
      .insert(enterprises)
      .values({
        name: `${county ? county.name.replace(/(区|县)$/, "") : "菏泽"}${f.person.lastName()}${f.helpers.arrayElement(["顺达", "通", "捷", "安", "鑫", "恒", "宏", "远", "佳", "汇"])}${shape.suffix}`,
        creditCode: makeCreditCode("91", regionCode, `MA${inCreditAlphabet(creditSeq * 7919, 7)}`),
        kind: shape.kind,
        industryCode: INDUSTRY_OF[key],
        regionCode,
        committeeId: committee.id,
        address: `${county?.name ?? "牡丹区"}${f.location.street()}${f.number.int({ min: 1, max: 300 })}号`,
        workerCount: f.helpers.weightedArrayElement([
          { weight: 5, value: f.number.int({ min: 8, max: 49 }) },
          { weight: 3, value: f.number.int({ min: 50, max: 99 }) },
          { weight: 2, value: f.number.int({ min: 100, max: 900 }) },
        ]),
        legalRepIsMember: f.datatype.boolean(0.12),
        status: f.datatype.boolean(0.97) ? "active" : "closed",
      })
      .returning({ id: enterprises.id })
      .get();
    enterpriseIds.push(e.id);
    committeeOf.set(e.id, committee.id);
    return e.id;
  };

  const branches: OrgRow[] = [];
  const coveredBy = new Map<number, number>();
  let branchSeq = 0;
  const cover = (branch: OrgRow, ids: number[]) => {
    for (const id of ids) {
      db.insert(organizationEnterprises).values({ organizationId: branch.id, enterpriseId: id, since: branch.foundedOn }).run();
      coveredBy.set(id, branch.id);
    }
  };
  const standalone = (committee: OrgRow, key: keyof typeof INDUSTRY_OF, enterpriseId: number, name: string, regionCode: string) => {
    branchSeq++;
    const b = insertOrg(db, committee, {
      code: `${committee.code}-${String(branchSeq).padStart(3, "0")}`,
      name: `中共${name}支部委员会`,
      kind: "branch",
      formation: "standalone",
      industryCode: INDUSTRY_OF[key],
      regionCode,
      secretaryName: f.person.fullName(),
      secretaryPhone: `13${f.string.numeric(9)}`,
      ...term(branchSeq),
    });
    branches.push(b);
    cover(b, [enterpriseId]);
    return b;
  };
  const joint = (committee: OrgRow, key: keyof typeof INDUSTRY_OF, ids: number[], label: string, regionCode: string) => {
    branchSeq++;
    const b = insertOrg(db, committee, {
      code: `${committee.code}-${String(branchSeq).padStart(3, "0")}`,
      name: `中共菏泽市${label}联合支部委员会`,
      kind: "branch",
      formation: "joint",
      industryCode: INDUSTRY_OF[key],
      regionCode,
      secretaryName: f.person.fullName(),
      secretaryPhone: `13${f.string.numeric(9)}`,
      ...term(branchSeq),
    });
    branches.push(b);
    cover(b, ids);
    return b;
  };
  const nameOf = (id: number) => db.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, id)).get()!.name;

  // Road transport: 23 branches covering 39 enterprises (15 standalone + 8 joint covering 24), plus
  // enterprises reached only by instructors and some not at all — 120 in all.
  const dl = Array.from({ length: 120 }, (_, i) => addEnterprise(committees.DL, "DL", COUNTIES[i % COUNTIES.length]!.code));
  for (let i = 0; i < 15; i++) standalone(committees.DL, "DL", dl[i]!, nameOf(dl[i]!), "371700");
  for (let j = 0; j < 8; j++) joint(committees.DL, "DL", dl.slice(15 + j * 3, 18 + j * 3), `道路货运第${j + 1}`, "371700");
  // Online delivery: the 6 platform branches under the city committee, then each county committee
  // with its stations (a standalone station branch, a joint branch of small stations).
  const psPlatforms = Array.from({ length: 6 }, () => addEnterprise(committees.PS, "PS", "371702"));
  for (const id of psPlatforms) standalone(committees.PS, "PS", id, nameOf(id), "371702");
  countyCommittees.forEach((cc, ci) => {
    const ids = Array.from({ length: 10 }, () => addEnterprise(cc, "PS", cc.regionCode));
    standalone(cc, "PS", ids[0]!, nameOf(ids[0]!), cc.regionCode);
    if (ci % 2 === 0) joint(cc, "PS", ids.slice(1, 4), `${COUNTIES[ci]!.name}网约配送`, cc.regionCode);
  });
  // Express: 8 enterprises with their own organization among 50.
  const kd = Array.from({ length: 50 }, (_, i) => addEnterprise(committees.KD, "KD", COUNTIES[i % COUNTIES.length]!.code));
  for (let i = 0; i < 8; i++) standalone(committees.KD, "KD", kd[i]!, nameOf(kd[i]!), "371700");
  joint(committees.KD, "KD", kd.slice(8, 12), "快递行业第一", "371700");
  // Live-streaming: a young industry, mostly uncovered.
  const zb = Array.from({ length: 30 }, () => addEnterprise(committees.ZB, "ZB", "371702"));
  standalone(committees.ZB, "ZB", zb[0]!, nameOf(zb[0]!), "371702");
  joint(committees.ZB, "ZB", zb.slice(1, 4), "直播电商", "371702");
  // The street's comprehensive committee and its special "育新" branch.
  const street = Array.from({ length: 4 }, () => addEnterprise(comprehensive, "PS", "371702"));
  joint(comprehensive, "PS", street.slice(0, 2), "西城街道育新", "371702");

  // Instructors: Party work reaches part of the enterprises that have no organization.
  const uncovered = enterpriseIds.filter((id) => !coveredBy.has(id));
  const allCommittees = [committees.DL, committees.PS, committees.KD, committees.ZB, ...countyCommittees, comprehensive];
  let instructorCount = 0;
  for (const c of allCommittees) {
    const mine = uncovered.filter((id) => committeeOf.get(id) === c.id);
    const n = Math.max(1, Math.round(mine.length / 6));
    for (let i = 0; i < n; i++) {
      instructorCount++;
      const ins = db
        .insert(instructors)
        .values({
          name: f.person.fullName(),
          kind: instructorCount % 5 === 0 ? "liaison" : "instructor",
          phone: `15${f.string.numeric(9)}`,
          workUnit: c.shortName ?? c.name,
          committeeId: c.id,
        })
        .returning({ id: instructors.id })
        .get();
      // Each instructor contacts up to three enterprises; about half of the uncovered get one.
      for (const eid of mine.slice(i * 3, i * 3 + 3).filter((_, k) => (k + i) % 2 === 0 || mine.length < 6)) {
        db.insert(instructorAssignments)
          .values({ instructorId: ins.id, enterpriseId: eid, assignedOn: addDays(today, -f.number.int({ min: 30, max: 700 })) })
          .run();
      }
    }
  }
  // Enterprises that will get three or more full members without an organization: 应建未建.
  const shouldFormIds = uncovered.filter((_, i) => i % 9 === 4);
  return { root, committees, countyCommittees, comprehensive, branches, enterpriseIds, coveredBy, committeeOf, shouldFormIds };
}
