// Seeds the member-list data set fast (prepared statements, one transaction a table): ~200
// organizations under the city (4 city committees + one per county), 320 enterprises and N members
// with realistic mixes of relation status, category, occupation and channel. Deterministic.
// Used by bench:members and bench:http.

import path from "node:path";
import { openDb } from "../../db/client.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../server/domain/reference-data.js";
import { DISCOVERY_CHANNELS, EDUCATION_LEVELS, OCCUPATIONS } from "../../server/domain/codes.js";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { addDays, todayIso } from "../../server/domain/dates.js";
import { idNumberCheckChar } from "../../server/domain/id-number.js";
import { COUNTIES } from "../../server/domain/reference-data.js";

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

const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤".split(
    "",
  );
const GIVEN =
  "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强永红建华海燕文军春梅玉兰德明晓东凤英立新俊杰子涵浩然雨轩梓豪欣怡宇航思远佳琪振华国栋".split(
    "",
  );

/** Seeds `bench.db` in `dir` with `members` members; returns the open handle and the committees. */
export function seedMembers(dir: string, MEMBERS: number) {
  const handle = openDb(path.join(dir, "bench.db"));
  prepareDatabase(handle, { jurisdiction: DEMO_JURISDICTION });
  const db = handle.sqlite;
  const t0 = performance.now();
  const root = db.prepare("SELECT id, path FROM organizations WHERE code = 'HZ'").get() as { id: number; path: string };

  const insOrg = db.prepare(
    "INSERT INTO organizations (code, name, short_name, kind, formation, parent_id, path, depth, industry_code, region_code) VALUES (?, ?, ?, ?, ?, ?, '/', ?, ?, ?)",
  );
  const setPath = db.prepare("UPDATE organizations SET path = ? WHERE id = ?");
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

  type Committee = { id: number; path: string; code: string; industry: string; branches: number[]; weight: number };
  const committees: Committee[] = [];
  db.transaction(() => {
    const city: [string, string, string, number][] = [
      ["HZ-DL", "市道路运输行业党委", "road_transport", 25],
      ["HZ-PS", "市网约配送行业党委", "online_delivery", 15],
      ["HZ-KD", "市快递行业党委", "express_delivery", 10],
      ["HZ-ZB", "市直播电商行业党委", "live_streaming", 6],
    ];
    for (const [code, name, industry, weight] of city)
      committees.push({
        ...addOrg(code, `中共菏泽${name}`, "industry_committee", null, root, 1, industry, "371700"),
        code,
        industry,
        branches: [],
        weight,
      });
    for (const [i, c] of COUNTIES.entries()) {
      const code = `HZ-PS-${String(i + 1).padStart(2, "0")}`;
      committees.push({
        ...addOrg(code, `中共${c.name}网约配送行业委员会`, "industry_committee", null, root, 1, "online_delivery", c.code),
        code,
        industry: "online_delivery",
        branches: [],
        weight: 4.4,
      });
    }
    // ~185 branches, more under the bigger committees.
    let n = 0;
    for (const c of committees) {
      const count = Math.round((c.weight / 100) * 185) + 1;
      for (let i = 0; i < count; i++) {
        n++;
        const joint = i % 3 === 2;
        const b = addOrg(
          `${c.code}-${String(i + 1).padStart(3, "0")}`,
          `中共测试${n}号${joint ? "联合" : ""}支部委员会`,
          "branch",
          joint ? "joint" : "standalone",
          c,
          2,
          c.industry,
          "371702",
        );
        c.branches.push(b.id);
      }
    }
  })();

  const insEnt = db.prepare(
    "INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, worker_count) VALUES (?, ?, 'station', ?, '371702', ?, ?)",
  );
  const entsBy = new Map<number, number[]>();
  db.transaction(() => {
    for (let i = 0; i < 320; i++) {
      const c = committees[i % committees.length]!;
      const id = Number(
        insEnt.run(
          `测试企业${i + 1}`,
          makeCreditCode("91", "371702", `BN${String(i).padStart(7, "0")}`),
          c.industry,
          c.id,
          20 + Math.floor(rand() * 500),
        ).lastInsertRowid,
      );
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
      const relation = weighted<string>([
        ["local", 60],
        ["mobile_in", 15],
        ["mobile_out", 5],
        ["unattached", 15],
        ["transferred_out", 5],
      ]);
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
