// Benchmark: one page of the member list with 100,000 members (issue 2: "answers a page in under 50 ms").
//
//   npm run bench:members            (BENCH_MEMBERS=200000 to try more; BENCH_RUNS=41 runs a case)
//
// Seeds a temporary database file (WAL, the real migrations) with ~200 organizations and 100,000
// members through prepared statements, runs ANALYZE as `PRAGMA optimize` would, then times the
// list service itself (listMembers: the page query, the count and the label look-ups the page
// shows) for each case and prints the median. Not a test: timings depend on the machine.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb } from "../../db/client.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { DISCOVERY_CHANNELS, EDUCATION_LEVELS, OCCUPATIONS } from "../../server/domain/codes.js";
import { addDays, todayIso } from "../../server/domain/dates.js";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { idNumberCheckChar } from "../../server/domain/id-number.js";
import { COUNTIES } from "../../server/domain/reference-data.js";
import type { Actor } from "../../server/policy/actor.js";
import { memberListQuerySchema } from "../../server/schemas/members.schema.js";
import { listMembers, loadOrgs } from "../../server/services/members-list.js";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 31);
const TARGET_MS = 50;

// Deterministic PRNG (mulberry32): the same database every run.
let state = 20240701;
function rand(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
function weighted<T>(pairs: [T, number][]): T {
  let r = rand() * pairs.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of pairs) {
    r -= w;
    if (r <= 0) return v;
  }
  return pairs[pairs.length - 1]![0];
}

const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤".split("");
const GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强永红建华海燕文军春梅玉兰德明晓东凤英立新俊杰子涵浩然雨轩梓豪欣怡宇航思远佳琪振华国栋".split("");

function seed(dir: string) {
  const handle = openDb(path.join(dir, "bench.db"));
  prepareDatabase(handle);
  const db = handle.sqlite;
  const t0 = performance.now();
  const root = db.prepare("SELECT id, path FROM organizations WHERE code = 'HZ'").get() as { id: number; path: string };

  const insOrg = db.prepare(
    "INSERT INTO organizations (code, name, short_name, kind, formation, parent_id, path, depth, industry_code, region_code) VALUES (?, ?, ?, ?, ?, ?, '/', ?, ?, ?)",
  );
  const setPath = db.prepare("UPDATE organizations SET path = ? WHERE id = ?");
  const addOrg = (code: string, name: string, kind: string, formation: string | null, parent: { id: number; path: string }, depth: number, industry: string, region: string) => {
    const id = Number(insOrg.run(code, name, name.slice(0, 12), kind, formation, parent.id, depth, industry, region).lastInsertRowid);
    const p = `${parent.path}${id}/`;
    setPath.run(p, id);
    return { id, path: p };
  };

  type Committee = { id: number; path: string; code: string; industry: string; branches: number[]; weight: number };
  const committees: Committee[] = [];
  db.transaction(() => {
    const city: [string, string, string, number][] = [
      ["HZ-DL", "市道路运输行业党委", "road_transport", 25],
      ["HZ-PS", "市网约配送行业党委", "online_delivery", 15],
      ["HZ-KD", "市快递行业党委", "express_delivery", 10],
      ["HZ-ZB", "市直播电商行业党委", "live_streaming", 6],
    ];
    for (const [code, name, industry, weight] of city) committees.push({ ...addOrg(code, `中共菏泽${name}`, "industry_committee", null, root, 1, industry, "371700"), code, industry, branches: [], weight });
    for (const [i, c] of COUNTIES.entries()) {
      const code = `HZ-PS-${String(i + 1).padStart(2, "0")}`;
      committees.push({ ...addOrg(code, `中共${c.name}网约配送行业委员会`, "industry_committee", null, root, 1, "online_delivery", c.code), code, industry: "online_delivery", branches: [], weight: 4.4 });
    }
    // ~185 branches, more under the bigger committees.
    let n = 0;
    for (const c of committees) {
      const count = Math.round((c.weight / 100) * 185) + 1;
      for (let i = 0; i < count; i++) {
        n++;
        const joint = i % 3 === 2;
        const b = addOrg(`${c.code}-${String(i + 1).padStart(3, "0")}`, `中共测试${n}号${joint ? "联合" : ""}支部委员会`, "branch", joint ? "joint" : "standalone", c, 2, c.industry, "371702");
        c.branches.push(b.id);
      }
    }
  })();

  const insEnt = db.prepare("INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, worker_count) VALUES (?, ?, 'station', ?, '371702', ?, ?)");
  const entsBy = new Map<number, number[]>();
  db.transaction(() => {
    for (let i = 0; i < 320; i++) {
      const c = committees[i % committees.length]!;
      const id = Number(insEnt.run(`测试企业${i + 1}`, makeCreditCode("91", "371702", `BN${String(i).padStart(7, "0")}`), c.industry, c.id, 20 + Math.floor(rand() * 500)).lastInsertRowid);
      entsBy.set(c.id, [...(entsBy.get(c.id) ?? []), id]);
    }
  })();

  const insMember = db.prepare(
    `INSERT INTO members (name, gender, ethnicity, birth_date, id_number, id_last4, phone, phone_last4, education, category, joined_on, full_on,
       occupation, enterprise_id, org_id, relation_status, relation_org_name, discovery_channel, discovered_on, verified_on, managed_on, lost_contact_on, lost_contact_reason)
     VALUES (?, ?, '01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const today = todayIso();
  const seen = new Set<string>();
  const cw = committees.map((c) => [c, c.weight] as [Committee, number]);
  db.transaction(() => {
    for (let i = 0; i < MEMBERS; i++) {
      const birth = addDays("1960-01-01", Math.floor(rand() * 14600));
      const gender = rand() < 0.82 ? "male" : "female";
      let id: string;
      do {
        const seq = Math.floor(rand() * 500) * 2 + (gender === "male" ? 1 : 0);
        const first17 = `${pick(COUNTIES).code}${birth.replaceAll("-", "")}${String(seq).padStart(3, "0")}`;
        id = first17 + idNumberCheckChar(first17);
      } while (seen.has(id));
      seen.add(id);
      const phone = `1${pick(["3", "5", "7", "8", "9"])}${String(Math.floor(rand() * 1e9)).padStart(9, "0")}`;
      const c = weighted(cw);
      const relation = weighted<string>([["local", 60], ["mobile_in", 15], ["mobile_out", 5], ["unattached", 15], ["transferred_out", 5]]);
      const orgId = relation === "unattached" ? c.id : pick(c.branches);
      const category = rand() < 0.9 ? "full" : "probationary";
      const joined = rand() < 0.05 ? null : addDays(birth, 6600 + Math.floor(rand() * 6000));
      const joinedOn = joined && joined < today ? joined : null;
      const fullOn = category === "full" && joinedOn ? addDays(joinedOn, 365) : null;
      const ents = entsBy.get(c.id) ?? [];
      const discovered = addDays("2022-01-01", Math.floor(rand() * 900));
      const lost = rand() < 0.03 ? addDays("2023-06-01", Math.floor(rand() * 700)) : null;
      insMember.run(
        `${pick(SURNAMES)}${pick(GIVEN)}${rand() < 0.7 ? pick(GIVEN) : ""}`,
        gender,
        birth,
        id,
        id.slice(-4),
        phone,
        phone.slice(-4),
        pick(EDUCATION_LEVELS),
        category,
        joinedOn,
        fullOn && fullOn < today ? fullOn : null,
        pick(OCCUPATIONS),
        ents.length && rand() < 0.7 ? pick(ents) : null,
        orgId,
        relation,
        relation === "mobile_in" || relation === "unattached" ? "某县某镇某村党支部" : null,
        pick(DISCOVERY_CHANNELS),
        discovered,
        relation === "unattached" ? null : addDays(discovered, 10),
        relation === "unattached" ? null : addDays(discovered, 30),
        lost,
        lost ? "migrant_work" : null,
      );
    }
  })();
  db.exec("ANALYZE");
  const seconds = (performance.now() - t0) / 1000;
  return { handle, committees, seconds };
}

function reuse(file: string) {
  const handle = openDb(file);
  const committees = (handle.sqlite.prepare("SELECT id, path, code FROM organizations WHERE kind = 'industry_committee' ORDER BY id").all() as { id: number; path: string; code: string }[]).map((c) => ({
    ...c,
    industry: "",
    weight: 0,
    branches: handle.sqlite.prepare("SELECT id FROM organizations WHERE parent_id = ? ORDER BY id").pluck().all(c.id) as number[],
  }));
  return { handle, committees, seconds: 0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "member-bench-"));
  try {
    // BENCH_DB=path reuses a database seeded earlier (with BENCH_KEEP=1) to try out plans.
    const { handle, committees, seconds } = process.env.BENCH_DB ? reuse(process.env.BENCH_DB) : seed(dir);
    const { db, sqlite } = handle;
    const count = (sqlite.prepare("SELECT count(*) FROM members").pluck().get() as number).toLocaleString("en");
    const orgCount = sqlite.prepare("SELECT count(*) FROM organizations").pluck().get() as number;
    console.log(`seeded ${count} members in ${orgCount} organizations in ${seconds.toFixed(1)} s (${dir})`);

    const root = sqlite.prepare("SELECT id, path FROM organizations WHERE code = 'HZ'").get() as { id: number; path: string };
    const dl = committees[0]!;
    const branchId = dl.branches[0]!;
    const branchPath = sqlite.prepare("SELECT path FROM organizations WHERE id = ?").pluck().get(branchId) as string;
    const actor = (role: Actor["role"], orgId: number, orgPath: string): Actor => ({ id: 1, username: role, displayName: role, role, orgId, orgPath, orgName: "" });
    const admin = actor("admin", root.id, root.path);
    const clerk = actor("clerk", dl.id, dl.path);
    const secretary = actor("secretary", branchId, branchPath);
    const today = todayIso();

    // A cursor half-way down the admin's list by name: what "page 1,000 of 2,000" means with keysets.
    const midId = sqlite.prepare("SELECT id FROM members WHERE relation_status <> 'transferred_out' AND left_on IS NULL ORDER BY name, id LIMIT 1 OFFSET ?").pluck().get(Math.floor(MEMBERS / 2)) as number;
    const last4 = sqlite.prepare("SELECT id_last4 FROM members WHERE org_id IN (SELECT id FROM organizations WHERE path LIKE ?) LIMIT 1").pluck().get(`${dl.path}%`) as string;

    const cases: [string, Actor, Record<string, string>][] = [
      ["admin · first page (by name)", admin, {}],
      ["supervisor-wide · first page by joined date, newest first", admin, { sort: "joined", dir: "desc" }],
      ["clerk (HZ-DL, ~25%) · first page", clerk, {}],
      ["secretary (one branch) · first page", secretary, {}],
      ["admin · deep page (after row 50,000)", admin, { after: String(midId), page: "1001" }],
      ["admin · deep page going back (before row 50,000)", admin, { before: String(midId), page: "1000" }],
      ["admin · name search “张” (contains)", admin, { q: "张" }],
      ["admin · name search “王秀英” (rare)", admin, { q: "王秀英" }],
      ["clerk · last-4 search", clerk, { q: last4 }],
      ["clerk · occupation+category+relation+channel, by joined", clerk, { occupation: "truck_driver", category: "full", relation: "local", channel: "data_match", sort: "joined" }],
      ["admin · committee + out of contact 6 months", admin, { committee: String(committees[1]!.id), lost: "6m" }],
      ["admin · enterprise filter", admin, { enterprise: String(sqlite.prepare("SELECT enterprise_id FROM members WHERE enterprise_id IS NOT NULL LIMIT 1").pluck().get()) }],
    ];

    const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
    console.log(`\n${RUNS} runs a case · listMembers = page (51 rows) + count + labels · target < ${TARGET_MS} ms (median)`);
    console.log(`load average before: ${load()} on ${os.cpus().length} CPUs (other work on the machine inflates medians; min shows the uncontended cost)\n`);
    console.log(`${"case".padEnd(62)} ${"median".padStart(10)} ${"min".padStart(10)} ${"page only".padStart(10)} ${"rows".padStart(6)} ${"total".padStart(8)}`);
    let worst = 0;
    for (const [label, who, query] of cases) {
      const q = memberListQuerySchema.parse(query);
      const run = (withTotal: boolean) => {
        const times: number[] = [];
        let last = listMembers(db, who, q, today, { withTotal });
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          last = listMembers(db, who, q, today, { withTotal, orgs: i % 2 ? loadOrgs(db) : undefined });
          times.push(performance.now() - t);
        }
        return { ms: median(times), min: Math.min(...times), last };
      };
      const full = run(true);
      const pageOnly = run(false);
      worst = Math.max(worst, full.ms);
      console.log(`${label.padEnd(62)} ${full.ms.toFixed(2).padStart(7)} ms ${full.min.toFixed(2).padStart(7)} ms ${pageOnly.ms.toFixed(2).padStart(7)} ms ${String(full.last.rows.length).padStart(6)} ${full.last.total.toLocaleString("en").padStart(8)}`);
    }

    // For comparison only: what OFFSET paging would cost at the same depth.
    const offsetTimes: number[] = [];
    const offsetStmt = sqlite.prepare("SELECT * FROM members WHERE relation_status <> 'transferred_out' AND left_on IS NULL ORDER BY name, id LIMIT 51 OFFSET ?");
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      offsetStmt.all(Math.floor(MEMBERS / 2));
      offsetTimes.push(performance.now() - t);
    }
    console.log(`\n(comparison) LIMIT/OFFSET at row 50,000, same order: ${median(offsetTimes).toFixed(2)} ms`);
    console.log(`load average after: ${load()}`);
    console.log(`\nworst median ${worst.toFixed(2)} ms · target < ${TARGET_MS} ms · ${worst < TARGET_MS ? "MET" : "NOT MET"}`);
    handle.close();
    if (worst >= TARGET_MS) process.exitCode = 1;
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
