// The bench:province data set: an installation for Shandong (370000: 16 cities, their counties),
// seeded fast with prepared statements in one transaction a table. At scale 1 (the size):
// 5,000,000 platform worker rows on 8 platforms with 10 % of the people on two, 500,000 members,
// 100,000 leads, 2,000 enterprises, a committee per industry in each city and one per county, ten
// branches a committee. Deterministic (seeded PRNG). Accounts: a province supervisor and a county
// clerk, signed in by the benchmark through the real form.

import path from "node:path";
import type { DbHandle } from "../../../db/client.js";
import { openDb } from "../../../db/client.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { EDUCATION_LEVELS } from "../../../server/domain/codes.js";
import { makeCreditCode } from "../../../server/domain/credit-code.js";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { childrenOf } from "../../../server/domain/divisions.js";
import { isPlaceholderDivision } from "../../../server/domain/jurisdiction.js";
import { createUser } from "../../../server/services/admin/users.js";
import { GIVEN, person, pick, rng, SURNAMES } from "../synthetic.js";

export const PROVINCE_CODE = "370000";
export const PROVINCE_PASSWORD = "bench-password-2024";
export const PROVINCE_USERS = { supervisor: "bench-province", clerk: "bench-county" } as const;

/** The platforms (name, occupation): a person on two platforms is on the next one in this list too. */
const PLATFORMS: readonly [string, string][] = [
  ["美团", "delivery_rider"],
  ["饿了么", "delivery_rider"],
  ["滴滴出行", "ride_hailing_driver"],
  ["高德打车", "ride_hailing_driver"],
  ["货拉拉", "truck_driver"],
  ["满帮", "truck_driver"],
  ["顺丰速运", "courier"],
  ["抖音", "live_streamer"],
];
const CITY_INDUSTRIES: readonly [string, string, string][] = [
  ["DL", "道路运输行业党委", "road_transport"],
  ["PS", "网约配送行业党委", "online_delivery"],
  ["KD", "快递行业党委", "express_delivery"],
  ["ZB", "直播电商行业党委", "live_streaming"],
];
const BRANCHES_PER_COMMITTEE = 10;

export type ProvinceSize = { workers: number; members: number; leads: number; enterprises: number };
export const PROVINCE_SIZE: ProvinceSize = { workers: 5_000_000, members: 500_000, leads: 100_000, enterprises: 2_000 };

type Committee = { id: number; path: string; code: string; region: string; industry: string; branches: number[]; weight: number };

export type SeededProvince = {
  handle: DbHandle;
  dbPath: string;
  committees: Committee[];
  /** The county committee the clerk is bound to. */
  county: Committee;
  users: { supervisorId: number; clerkId: number };
  counts: Record<string, number>;
  seconds: Record<string, number>;
};

const secondsSince = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

export async function seedProvince(dir: string, size: ProvinceSize, log: (line: string) => void): Promise<SeededProvince> {
  const dbPath = path.join(dir, "province.db");
  const handle = openDb(dbPath);
  const s = handle.sqlite;
  const seconds: Record<string, number> = {};
  let t0 = performance.now();
  prepareDatabase(handle, { jurisdiction: { regionCode: PROVINCE_CODE } });
  seconds.install = secondsSince(t0);
  const r = rng(20261202);
  const root = s.prepare("SELECT id, path FROM organizations WHERE parent_id IS NULL").get() as { id: number; path: string };

  // Organizations: a committee per industry in each city, one per county, ten branches each.
  t0 = performance.now();
  const insOrg = s.prepare(
    "INSERT INTO organizations (code, name, short_name, kind, formation, parent_id, path, depth, industry_code, region_code) VALUES (?, ?, ?, ?, ?, ?, '/', ?, ?, ?)",
  );
  const setPath = s.prepare("UPDATE organizations SET path = ? WHERE id = ?");
  const addOrg = (
    code: string,
    name: string,
    kind: string,
    formation: string | null,
    parent: { id: number; path: string },
    depth: number,
    industry: string,
    region: string,
  ) => {
    const id = Number(insOrg.run(code, name, name.slice(0, 12), kind, formation, parent.id, depth, industry, region).lastInsertRowid);
    const p = `${parent.path}${id}/`;
    setPath.run(p, id);
    return { id, path: p };
  };
  const committees: Committee[] = [];
  s.transaction(() => {
    for (const city of childrenOf(PROVINCE_CODE)) {
      for (const [suffix, name, industry] of CITY_INDUSTRIES) {
        const code = `${city.code}-${suffix}`;
        committees.push({
          ...addOrg(code, `中共${city.name}${name}`, "industry_committee", null, root, 1, industry, city.code),
          code,
          region: city.code,
          industry,
          branches: [],
          weight: 3,
        });
      }
      for (const county of childrenOf(city.code).filter((d) => !isPlaceholderDivision(d))) {
        const code = `${county.code}-PS`;
        const c = addOrg(
          code,
          `中共${county.name}新就业群体行业委员会`,
          "industry_committee",
          null,
          root,
          1,
          "online_delivery",
          county.code,
        );
        committees.push({ ...c, code, region: county.code, industry: "online_delivery", branches: [], weight: 1 });
      }
    }
    for (const c of committees)
      for (let i = 0; i < BRANCHES_PER_COMMITTEE; i++) {
        const joint = i % 3 === 2;
        const b = addOrg(
          `${c.code}-${String(i + 1).padStart(2, "0")}`,
          `${c.code}第${i + 1}${joint ? "联合" : ""}党支部`,
          "branch",
          joint ? "joint" : "standalone",
          c,
          2,
          c.industry,
          c.region,
        );
        c.branches.push(b.id);
      }
  })();
  const totalWeight = committees.reduce((a, c) => a + c.weight, 0);
  const committeeOf = (x: number) => {
    let left = x * totalWeight;
    for (const c of committees) {
      left -= c.weight;
      if (left <= 0) return c;
    }
    return committees[committees.length - 1]!;
  };

  // Enterprises, spread over the committees.
  const insEnt = s.prepare(
    "INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, worker_count) VALUES (?, ?, 'station', ?, ?, ?, ?)",
  );
  const entsBy = new Map<number, number[]>();
  s.transaction(() => {
    for (let i = 0; i < size.enterprises; i++) {
      const c = committees[i % committees.length]!;
      const id = Number(
        insEnt.run(
          `省测试企业${i + 1}`,
          makeCreditCode("91", c.region, `PR${String(i).padStart(7, "0")}`),
          c.industry,
          c.region,
          c.id,
          20 + Math.floor(r() * 500),
        ).lastInsertRowid,
      );
      entsBy.set(c.id, [...(entsBy.get(c.id) ?? []), id]);
    }
  })();
  seconds.organizations = secondsSince(t0);

  // Workers: P people, the first tenth of them on two platforms, inserted in (platform, ID number)
  // order as the import writes them (the UNIQUE index then grows at its right edge).
  t0 = performance.now();
  const people = Math.round(size.workers / 1.1);
  const twice = size.workers - people;
  const ids = Array.from({ length: people }, (_, i) => person(i));
  const order = Array.from({ length: people }, (_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const platformOf = (i: number) => i % PLATFORMS.length;
  const onPlatform = (i: number, p: number) => platformOf(i) === p || (i < twice && (platformOf(i) + 1) % PLATFORMS.length === p);
  const insWorker = s.prepare(
    `INSERT INTO workers (platform, id_number, name, phone, org_id, enterprise_id, station, occupation, political_status, hired_on, first_seen_on, last_seen_on, left_on)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insLead = s.prepare(
    `INSERT OR IGNORE INTO leads (id_number, name, phone, channel, committee_id, worker_id, enterprise_id, occupation, platform, status, found_on)
     VALUES (?, ?, ?, 'platform_report', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const leadShare = size.leads / people;
  const today = todayIso();
  s.pragma("cache_size = -262144");
  s.transaction(() => {
    for (let p = 0; p < PLATFORMS.length; p++)
      for (const i of order) {
        if (!onPlatform(i, p)) continue;
        const [platform, occupation] = PLATFORMS[p]!;
        // A person's committee follows the person, whichever platform (one person, one place).
        const pr = rng(i + 1);
        const c = committeeOf(pr());
        const ents = entsBy.get(c.id) ?? [];
        const name = pick(pr, SURNAMES) + pick(pr, GIVEN) + (pr() < 0.6 ? pick(pr, GIVEN) : "");
        const phone = `1${3 + Math.floor(pr() * 7)}${String(Math.floor(pr() * 1e9)).padStart(9, "0")}`;
        const party = pr() < leadShare;
        const firstSeen = `202${3 + (i % 2)}-0${1 + (i % 9)}-1${i % 10}`;
        const info = insWorker.run(
          platform,
          ids[i]!,
          name,
          phone,
          c.id,
          ents.length && r() < 0.7 ? ents[i % ents.length]! : null,
          `第${1 + (i % 400)}站`,
          occupation,
          party ? "party_member" : "masses",
          "2020-01-01",
          firstSeen,
          today,
          r() < 0.05 ? today : null,
        );
        if (party)
          insLead.run(
            ids[i]!,
            name,
            phone,
            c.id,
            info.lastInsertRowid,
            null,
            occupation,
            platform,
            r() < 0.4 ? "verified" : "open",
            firstSeen,
          );
      }
  })();
  seconds.workers = secondsSince(t0);

  // Members: people not on the rosters (their ID numbers follow the workers'), in the branches.
  t0 = performance.now();
  const insMember = s.prepare(
    `INSERT INTO members (name, gender, ethnicity, birth_date, id_number, id_last4, phone, phone_last4, education, category, joined_on, full_on,
       occupation, enterprise_id, org_id, relation_status, relation_org_name, discovery_channel, discovered_on, verified_on, managed_on, lost_contact_on, lost_contact_reason)
     VALUES (?, ?, '01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'platform_report', ?, ?, ?, ?, ?)`,
  );
  s.transaction(() => {
    for (let k = 0; k < size.members; k++) {
      const id = person(people + k);
      const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
      const gender = Number(id[16]) % 2 === 1 ? "male" : "female";
      const c = committeeOf(r());
      const x = r();
      const relation = x < 0.6 ? "local" : x < 0.75 ? "mobile_in" : x < 0.8 ? "mobile_out" : x < 0.95 ? "unattached" : "transferred_out";
      const orgId = relation === "unattached" ? c.id : c.branches[k % c.branches.length]!;
      const category = r() < 0.9 ? "full" : "probationary";
      const joined = addDays(birth, 6600 + Math.floor(r() * 6000));
      const joinedOn = joined < today ? joined : null;
      const fullOn = category === "full" && joinedOn ? addDays(joinedOn, 365) : null;
      const ents = entsBy.get(c.id) ?? [];
      const discovered = addDays("2022-01-01", Math.floor(r() * 900));
      const lost = r() < 0.03 ? addDays("2023-06-01", Math.floor(r() * 700)) : null;
      const phone = `1${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, "0")}`;
      insMember.run(
        pick(r, SURNAMES) + pick(r, GIVEN) + (r() < 0.7 ? pick(r, GIVEN) : ""),
        gender,
        birth,
        id,
        id.slice(-4),
        phone,
        phone.slice(-4),
        EDUCATION_LEVELS[k % EDUCATION_LEVELS.length]!,
        category,
        joinedOn,
        fullOn && fullOn < today ? fullOn : null,
        PLATFORMS[k % PLATFORMS.length]![1],
        ents.length && r() < 0.7 ? ents[k % ents.length]! : null,
        orgId,
        relation,
        relation === "mobile_in" || relation === "unattached" ? "某县某镇某村党支部" : null,
        discovered,
        relation === "unattached" ? null : addDays(discovered, 10),
        relation === "unattached" ? null : addDays(discovered, 30),
        lost,
        lost ? "migrant_work" : null,
      );
    }
  })();
  seconds.members = secondsSince(t0);
  t0 = performance.now();
  s.exec("ANALYZE");
  s.pragma("wal_checkpoint(TRUNCATE)");
  seconds.analyze = secondsSince(t0);

  const county = committees.find((c) => c.weight === 1)!;
  const supervisorId = (
    await createUser(handle.db, null, {
      username: PROVINCE_USERS.supervisor,
      displayName: "省级督导",
      role: "supervisor",
      orgId: root.id,
      password: PROVINCE_PASSWORD,
    })
  ).id;
  const clerkId = (
    await createUser(handle.db, null, {
      username: PROVINCE_USERS.clerk,
      displayName: "县级专干",
      role: "clerk",
      orgId: county.id,
      password: PROVINCE_PASSWORD,
    })
  ).id;
  const count = (table: string) => s.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const counts = {
    organizations: count("organizations"),
    committees: committees.length,
    enterprises: count("enterprises"),
    workers: count("workers"),
    people: people,
    multiPlatformRows: s.prepare("SELECT count(*) FROM workers WHERE multi_platform = 1").pluck().get() as number,
    members: count("members"),
    leads: count("leads"),
  };
  log(`  seeded ${JSON.stringify(counts)} — seconds ${JSON.stringify(seconds)}`);
  return { handle, dbPath, committees, county, users: { supervisorId, clerkId }, counts, seconds };
}
