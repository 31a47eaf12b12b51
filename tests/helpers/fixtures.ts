import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import type { DbHandle } from "../../db/client.js";
import { enterprises, members, organizationEnterprises, organizations } from "../../db/schema.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../server/domain/reference-data.js";
import type { Role } from "../../server/domain/codes.js";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import { createUser } from "../../server/services/admin/users.js";
import { memoryDb, migratedImage } from "./db.js";
import { readOrBuildAsync } from "./run-cache.js";
import { restoreMemoryDb } from "./snapshot.js";

export const PASSWORD = "Passw0rd-for-tests";

type OrgSpec = {
  code: string;
  name: string;
  kind: typeof organizations.$inferInsert.kind;
  parentId: number | null;
  formation?: "standalone" | "joint";
  industryCode?: string;
  regionCode?: string;
};

export function addOrg(h: DbHandle, spec: OrgSpec) {
  const parent = spec.parentId ? h.db.select().from(organizations).where(eq(organizations.id, spec.parentId)).get()! : null;
  const o = h.db
    .insert(organizations)
    .values({
      regionCode: "371702",
      ...spec,
      formation: spec.formation ?? null,
      industryCode: spec.industryCode ?? null,
      path: "/",
      depth: parent ? parent.depth + 1 : 0,
    })
    .returning()
    .get();
  const path = `${parent ? parent.path : "/"}${o.id}/`;
  h.db.update(organizations).set({ path }).where(eq(organizations.id, o.id)).run();
  return { ...o, path };
}

let seq = 0;
export function addEnterprise(h: DbHandle, committeeId: number, over: Partial<typeof enterprises.$inferInsert> = {}) {
  seq++;
  return h.db
    .insert(enterprises)
    .values({
      name: `测试企业${seq}`,
      creditCode: makeCreditCode("91", "371702", `MA${String(seq).padStart(7, "0")}`),
      kind: "transport_company",
      industryCode: "road_transport",
      regionCode: "371702",
      committeeId,
      workerCount: 10,
      ...over,
    })
    .returning()
    .get();
}

let memberSeq = 0;
export function addMember(h: DbHandle, orgId: number, over: Partial<typeof members.$inferInsert> = {}) {
  memberSeq++;
  const idNumber = over.idNumber ?? makeIdNumber("371702", "1985-06-15", memberSeq);
  return h.db
    .insert(members)
    .values({
      name: `测试党员${memberSeq}`,
      gender: "male",
      birthDate: "1985-06-15",
      idNumber,
      idLast4: idNumber.slice(-4),
      phone: `1380000${String(memberSeq).padStart(4, "0")}`,
      phoneLast4: String(memberSeq).padStart(4, "0"),
      category: "full",
      orgId,
      relationStatus: "local",
      joinedOn: "2010-07-01",
      fullOn: "2011-07-01",
      ...over,
    })
    .returning()
    .get();
}

export function cover(h: DbHandle, organizationId: number, enterpriseId: number) {
  h.db.insert(organizationEnterprises).values({ organizationId, enterpriseId, since: "2024-01-01" }).run();
}

/**
 * A small city: root → HZ-DL (road transport) with a standalone and a joint branch,
 * HZ-PS (online delivery) with one branch; one account per role plus an out-of-scope clerk and secretary.
 *
 * Built once per run (smallCityImage) and copied: into a database file that holds nothing but the
 * migrations, with SQLite's backup API; into anything else (an in-memory database a test made, a
 * database already holding rows), built afresh.
 */
export async function buildSmallCity(h: DbHandle): Promise<SmallCity> {
  if (h.path === ":memory:" || !holdsNothing(h)) return buildSmallCityAfresh(h);
  const made = await smallCityImage();
  const image = new Database(made.image);
  try {
    await image.backup(h.path);
  } finally {
    image.close();
  }
  return structuredClone(made.city);
}

/** The small city in an in-memory database of its own (createTestApp's default). */
export async function smallCityDb(): Promise<{ handle: DbHandle; city: SmallCity }> {
  const made = await smallCityImage();
  return { handle: restoreMemoryDb(made.image), city: structuredClone(made.city) };
}

type CityImage = { image: Buffer; city: SmallCity };
let cityImage: Promise<CityImage> | undefined;
/** Where a file's counters start: past the city's once its image is made. */
let floor = { seq: 0, memberSeq: 0 };

/**
 * The small city's database image and its rows, made once per run. The counters that number
 * enterprises and members move past the ones the image used, so that a test's addEnterprise or
 * addMember never repeats a credit code or an ID number of the city.
 */
function smallCityImage(): Promise<CityImage> {
  cityImage ??= (async () => {
    const packed = await readOrBuildAsync("small-city.json", async () => {
      const h = memoryDb();
      try {
        const city = await buildSmallCityAfresh(h);
        return Buffer.from(JSON.stringify({ image: h.sqlite.serialize().toString("base64"), city, seq, memberSeq }));
      } finally {
        h.close();
      }
    });
    const made = JSON.parse(packed.toString()) as { image: string; city: SmallCity; seq: number; memberSeq: number };
    floor = { seq: made.seq, memberSeq: made.memberSeq };
    seq = Math.max(seq, made.seq);
    memberSeq = Math.max(memberSeq, made.memberSeq);
    return { image: Buffer.from(made.image, "base64"), city: made.city };
  })();
  return cityImage;
}

/**
 * Puts the counters back where a file starts them (past the city's once its image is made): a
 * worker runs file after file with this module loaded (vitest.config.ts isolate: false), and an ID
 * number's sequence has 3 digits, so counting on across files would come round to the city's own.
 * Called before each file by tests/setup.ts.
 */
export function resetFixtureCounters() {
  seq = floor.seq;
  memberSeq = floor.memberSeq;
}

let migratedCounts: string | undefined;

/** Whether the database holds nothing but what its migrations wrote (the rows of a migrated image). */
function holdsNothing(h: DbHandle): boolean {
  if (migratedCounts === undefined) {
    const m = restoreMemoryDb(migratedImage());
    try {
      migratedCounts = rowCounts(m);
    } finally {
      m.close();
    }
  }
  return rowCounts(h) === migratedCounts;
}

function rowCounts(h: DbHandle): string {
  const tables = h.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return tables.map((t) => `${t}:${h.sqlite.prepare(`SELECT count(*) FROM "${t}"`).pluck().get()}`).join(",");
}

async function buildSmallCityAfresh(h: DbHandle) {
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  const root = h.db.select().from(organizations).where(eq(organizations.code, "HZ")).get()!;
  const dl = addOrg(h, {
    code: "HZ-DL",
    name: "中共菏泽市道路运输行业委员会",
    kind: "industry_committee",
    parentId: root.id,
    industryCode: "road_transport",
    regionCode: "371700",
  });
  const ps = addOrg(h, {
    code: "HZ-PS",
    name: "中共菏泽市网约配送行业委员会",
    kind: "industry_committee",
    parentId: root.id,
    industryCode: "online_delivery",
    regionCode: "371700",
  });
  const dlBranch = addOrg(h, {
    code: "HZ-DL-001",
    name: "中共菏泽某物流有限公司支部委员会",
    kind: "branch",
    formation: "standalone",
    parentId: dl.id,
    industryCode: "road_transport",
  });
  const dlJoint = addOrg(h, {
    code: "HZ-DL-002",
    name: "中共菏泽货运联合支部委员会",
    kind: "branch",
    formation: "joint",
    parentId: dl.id,
    industryCode: "road_transport",
  });
  const psBranch = addOrg(h, {
    code: "HZ-PS-001",
    name: "中共菏泽某配送站支部委员会",
    kind: "branch",
    formation: "standalone",
    parentId: ps.id,
    industryCode: "online_delivery",
  });
  const dlEnterprise = addEnterprise(h, dl.id, { name: "菏泽某物流有限公司" });
  const psEnterprise = addEnterprise(h, ps.id, { name: "菏泽某配送站", industryCode: "online_delivery", kind: "station" });
  cover(h, dlBranch.id, dlEnterprise.id);
  cover(h, psBranch.id, psEnterprise.id);
  const dlMember = addMember(h, dlBranch.id, { enterpriseId: dlEnterprise.id, name: "张道路" });
  const dlJointMember = addMember(h, dlJoint.id, { name: "李联合" });
  const psMember = addMember(h, psBranch.id, { enterpriseId: psEnterprise.id, name: "王配送" });
  const users: Record<string, { username: string; role: Role; orgId: number }> = {
    admin: { username: "t-admin", role: "admin", orgId: root.id },
    supervisor: { username: "t-supervisor", role: "supervisor", orgId: root.id },
    clerk: { username: "t-clerk-dl", role: "clerk", orgId: dl.id },
    clerkPs: { username: "t-clerk-ps", role: "clerk", orgId: ps.id },
    secretary: { username: "t-sec-dl", role: "secretary", orgId: dlBranch.id },
    secretaryJoint: { username: "t-sec-joint", role: "secretary", orgId: dlJoint.id },
    secretaryPs: { username: "t-sec-ps", role: "secretary", orgId: psBranch.id },
  };
  const ids: Record<string, number> = {};
  for (const [key, u] of Object.entries(users)) {
    const created = await createUser(h.db, null, { ...u, displayName: key, password: PASSWORD });
    ids[key] = created.id;
  }
  return { root, dl, ps, dlBranch, dlJoint, psBranch, dlEnterprise, psEnterprise, dlMember, dlJointMember, psMember, users, userIds: ids };
}
export type SmallCity = Awaited<ReturnType<typeof buildSmallCityAfresh>>;
