// npm run bench:onboarding — a benchmark, not a test.
//
// Generates 2,000 organizations (20 industry committees, each with 99 joint branches) and 20,000
// enterprises (each under a committee and covered by one of its branches) as CSV in a temp dir,
// then measures in the same run, over a fresh Heze database file:
//   1. a raw baseline: the same rows as plain prepared INSERTs (organizations, enterprises, links)
//      in one transaction, nothing checked;
//   2. the real onboarding by the root's clerk (runImport: header, every check, the areas' services, audit entries, one
//      transaction), organizations then enterprises, with the per-row cost of the enterprise rows
//      at 10%, 50% and 100% of the file (from the apply phase's progress), so growth shows;
//   3. the same two files again (every row read, checked and found unchanged).
// Goal: per-row cost flat along the file; 20,000 enterprises well under a minute on an idle machine.
// Options: --orgs N (default 2,000), --enterprises N (default 20,000), --keep (keep the temp dir).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb } from "../../db/client.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { DEMO_JURISDICTION } from "../../server/domain/reference-data.js";
import { type Actor, systemActor } from "../../server/policy/actor.js";
import { rootOrgId, runImport } from "../../server/services/import/import.service.js";
import type { ImportProgress } from "../../server/services/import/types.js";
import { benchArgs, positive } from "./options.js";

const values = benchArgs("bench:onboarding", {
  orgs: { type: "string", default: "2000" },
  enterprises: { type: "string", default: "20000" },
  keep: { type: "boolean", default: false },
});
const COMMITTEES = 20;
const BRANCHES = Math.max(1, Math.floor(positive("bench:onboarding", "--orgs", values.orgs, true) / COMMITTEES) - 1);
const ENTERPRISES = positive("bench:onboarding", "--enterprises", values.enterprises, true);
const INDUSTRY = ["road_transport", "online_delivery", "express_delivery", "live_streaming"];
const COUNTY = ["371702", "371703", "371721", "371722", "371723", "371724"];

type Org = { code: string; name: string; kind: string; parent: string; industry: string; region: string };
type Ent = { name: string; creditCode: string; industry: string; region: string; committee: string; cover: string; workers: number };

function orgsOf(root: string): Org[] {
  const out: Org[] = [];
  for (let c = 0; c < COMMITTEES; c++) {
    const cc = `B${String(c).padStart(2, "0")}`;
    const industry = INDUSTRY[c % INDUSTRY.length]!;
    out.push({ code: cc, name: `中共菏泽市第${c + 1}行业委员会`, kind: "611", parent: root, industry, region: "371700" });
    for (let b = 0; b < BRANCHES; b++) {
      const region = COUNTY[b % COUNTY.length]!;
      out.push({
        code: `${cc}-${String(b).padStart(3, "0")}`,
        name: `中共菏泽第${c + 1}行业第${b + 1}联合支部委员会`,
        kind: "632",
        parent: cc,
        industry,
        region,
      });
    }
  }
  return out;
}

function enterprisesOf(): Ent[] {
  const out: Ent[] = [];
  for (let k = 0; k < ENTERPRISES; k++) {
    const c = k % COMMITTEES;
    const b = Math.floor(k / COMMITTEES) % BRANCHES;
    const cc = `B${String(c).padStart(2, "0")}`;
    out.push({
      name: `菏泽第${k + 1}号新业态有限公司`,
      creditCode: makeCreditCode("91", "371702", `MA${String(k).padStart(7, "0")}`),
      industry: INDUSTRY[c % INDUSTRY.length]!,
      region: COUNTY[k % COUNTY.length]!,
      committee: cc,
      cover: `${cc}-${String(b).padStart(3, "0")}`,
      workers: 5 + (k % 200),
    });
  }
  return out;
}

function writeCsv(file: string, header: string, lines: string[]) {
  fs.writeFileSync(file, `${header}\r\n${lines.join("\r\n")}\r\n`);
}

function freshDb(file: string) {
  const h = openDb(file);
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  return h;
}

/** The raw baseline: the same rows, plain prepared INSERTs in one transaction. */
function baseline(file: string, orgs: Org[], ents: Ent[]) {
  const h = freshDb(file);
  const s = h.sqlite;
  const root = rootOrgId(h);
  const t0 = performance.now();
  s.transaction(() => {
    const ids = new Map<string, number>();
    const insOrg = s.prepare(
      "INSERT INTO organizations (code, name, kind, formation, parent_id, path, depth, industry_code, region_code) VALUES (?, ?, ?, ?, ?, '/', 1, ?, ?)",
    );
    for (const o of orgs) {
      const parent = ids.get(o.parent) ?? root;
      const r = insOrg.run(
        o.code,
        o.name,
        o.kind === "611" ? "industry_committee" : "branch",
        o.kind === "632" ? "joint" : null,
        parent,
        o.industry,
        o.region,
      );
      ids.set(o.code, Number(r.lastInsertRowid));
    }
    const insEnt = s.prepare(
      "INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, worker_count) VALUES (?, ?, 'other', ?, ?, ?, ?)",
    );
    const insLink = s.prepare("INSERT INTO organization_enterprises (organization_id, enterprise_id, since) VALUES (?, ?, '2025-01-01')");
    for (const e of ents) {
      const r = insEnt.run(e.name, e.creditCode, e.industry, e.region, ids.get(e.committee)!, e.workers);
      insLink.run(ids.get(e.cover)!, r.lastInsertRowid);
    }
  })();
  const ms = performance.now() - t0;
  h.close();
  return ms;
}

/** The city's clerk, as on /onboarding: scoped to the root's subtree, so the services apply the scope in SQL. */
function clerkOfRoot(h: ReturnType<typeof openDb>): Actor {
  const id = rootOrgId(h);
  return { ...systemActor("bench-clerk"), role: "clerk", orgId: id, orgPath: `/${id}/`, orgName: "市委社会工作部" };
}

async function timed(h: ReturnType<typeof openDb>, kind: "organizations" | "enterprises", file: string, rows: number) {
  const marks: { at: number; rows: number }[] = [];
  const onProgress = (p: ImportProgress) => {
    if (p.phase === "applying") marks.push({ at: performance.now(), rows: p.rowsApplied ?? 0 });
  };
  const t0 = performance.now();
  const s = await runImport(h, clerkOfRoot(h), { kind, file, orgId: rootOrgId(h), source: "web", onProgress });
  const ms = performance.now() - t0;
  // Per-row cost of the apply phase in the window ending at 10%, 50% and 100% of the file.
  const applyStart = marks.find((m) => m.rows === 0)?.at ?? t0;
  const at = (frac: number) => {
    const target = Math.round(rows * frac);
    const i = marks.findIndex((m) => m.rows >= target);
    const end = marks[i] ?? marks[marks.length - 1]!;
    const start = marks[Math.max(0, i - 1)] && marks[i - 1]!.rows > 0 ? marks[i - 1]! : { at: applyStart, rows: 0 };
    return end.rows > start.rows ? (end.at - start.at) / (end.rows - start.rows) : Number.NaN;
  };
  return { ms, s, per: [at(0.1), at(0.5), at(1)] };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const perRow = (v: number[]) => v.map((x) => `${x.toFixed(2)} ms`).join(" / ");

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onboarding-bench-"));
  const orgs = orgsOf(DEMO_JURISDICTION.rootCode);
  const ents = enterprisesOf();
  const orgFile = path.join(dir, "organizations.csv");
  const entFile = path.join(dir, "enterprises.csv");
  writeCsv(
    orgFile,
    "组织编码,组织全称,组织类别,上级组织编码,行业,行政区划",
    orgs.map((o) => [o.code, o.name, o.kind, o.parent, o.industry, o.region].join(",")),
  );
  writeCsv(
    entFile,
    "企业名称,统一社会信用代码,企业类型,行业,所在县区,从业人员数,法定代表人是党员,法定代表人兼任党组织书记,负责党委编码,覆盖党组织编码",
    ents.map((e) => [e.name, e.creditCode, "其他", e.industry, e.region, e.workers, "否", "否", e.committee, e.cover].join(",")),
  );
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${os.cpus().length} cores)`,
  );
  console.log(`${orgs.length} organizations, ${ents.length} enterprises (+ ${ents.length} coverage links)`);

  const base = baseline(path.join(dir, "baseline.db"), orgs, ents);
  console.log(`baseline (plain INSERTs, one transaction): ${fmt(base)}`);

  const h = freshDb(path.join(dir, "bench.db"));
  try {
    const o1 = await timed(h, "organizations", orgFile, orgs.length);
    console.log(`organizations, first:  ${fmt(o1.ms)} (${o1.s.inserted} inserted); per row at 10/50/100%: ${perRow(o1.per)}`);
    const e1 = await timed(h, "enterprises", entFile, ents.length);
    console.log(`enterprises, first:    ${fmt(e1.ms)} (${e1.s.inserted} inserted); per row at 10/50/100%: ${perRow(e1.per)}`);
    const o2 = await timed(h, "organizations", orgFile, orgs.length);
    console.log(`organizations, again:  ${fmt(o2.ms)} (${o2.s.unchanged} unchanged); per row at 10/50/100%: ${perRow(o2.per)}`);
    const e2 = await timed(h, "enterprises", entFile, ents.length);
    console.log(`enterprises, again:    ${fmt(e2.ms)} (${e2.s.unchanged} unchanged); per row at 10/50/100%: ${perRow(e2.per)}`);
    const real = o1.ms + e1.ms;
    console.log(`first import ${fmt(real)} vs baseline ${fmt(base)}: ${(real / base).toFixed(1)}× the raw INSERTs`);
    console.log(
      `load average at end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    h.close();
    if (values.keep) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
