import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { todayIso } from "../../../server/domain/dates.js";
import { AppError } from "../../../server/errors.js";
import type { Actor } from "../../../server/policy/actor.js";
import { executeImport } from "../../../server/services/import/execute.js";
import {
  getImport,
  type ImportOptions,
  importProgress,
  inspectImportFile,
  listImports,
  prepareImport,
  runImport,
  startImport,
} from "../../../server/services/import/import.service.js";
import { STALE_LOCK_MS } from "../../../server/services/import/record.js";
import type { ImportSummary } from "../../../server/services/import/types.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { fixtureId, fixtureIdWithX } from "../../fixtures/rosters/people.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;
const f = (name: string) => path.resolve(FIX, name);

let h: DbHandle & { dir: string };
let city: SmallCity;
let clerkPs: Actor;
let clerkDl: Actor;

beforeEach(async () => {
  h = tempFileDb();
  city = await buildSmallCity(h);
  clerkPs = loadActor(h.db, city.userIds.clerkPs!)!;
  clerkDl = loadActor(h.db, city.userIds.clerk!)!;
});
afterEach(() => h.close());

function roster(file: string, over: Partial<ImportOptions> = {}): Promise<ImportSummary> {
  return runImport(h, clerkPs, { kind: "roster", file: f(file), platform: "某外卖平台", orgId: city.ps.id, source: "cli", ...over });
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

const TABLES = ["workers", "leads", "members", "member_events", "reference_members", "audit_log", "column_mappings", "import_issues"];

/** Every row of every table an import may touch, to compare before and after. */
function snapshot(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = h.sqlite.prepare(`SELECT * FROM ${t} ORDER BY 1`).all();
  return out;
}

function issues(importId: number) {
  return h.sqlite
    .prepare('SELECT row_number AS rowNumber, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY id')
    .all(importId) as {
    rowNumber: number;
    outcome: string;
    column: string;
    value: string;
    reason: string;
  }[];
}

function balanced(s: ImportSummary) {
  expect(s.rows).toBe(s.inserted + s.updated + s.unchanged + s.duplicates + s.rejected);
}

const count = (table: string) => h.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe("every row accounted for, per fixture", () => {
  it("GBK with CRLF: 5 rows in, 2 leads from 政治面貌, dates in Chinese forms read", async () => {
    const s = await roster("gbk-crlf.csv");
    expect(s).toMatchObject({
      encoding: "gb18030",
      rows: 5,
      inserted: 5,
      updated: 0,
      unchanged: 0,
      corrected: 0,
      duplicates: 0,
      rejected: 0,
      leadsCreated: 2,
      departed: 0,
    });
    balanced(s);
    const w = h.sqlite.prepare("SELECT name, station, political_status AS ps, hired_on AS hired FROM workers ORDER BY id_number").all();
    expect(w).toEqual([
      { name: "张伟", station: "牡丹区东站", ps: "party_member", hired: "2024-03-05" },
      { name: "王芳", station: "牡丹区东站", ps: "masses", hired: "2024-03-06" },
      { name: "李娜", station: "牡丹区西站", ps: "league_member", hired: "2024-03-07" },
      { name: "刘洋", station: "牡丹区西站", ps: "masses", hired: "2024-01-30" },
      { name: "陈静", station: "牡丹区北站", ps: "probationary_member", hired: "2024-03-08" },
    ]);
    const leads = h.sqlite
      .prepare("SELECT id_number AS id, channel, committee_id AS committee, status FROM leads ORDER BY id_number")
      .all();
    expect(leads).toEqual([
      { id: fixtureId(0), channel: "platform_report", committee: city.ps.id, status: "open" },
      { id: fixtureId(4), channel: "platform_report", committee: city.ps.id, status: "open" },
    ]);
  });

  it("UTF-8 with BOM: 3 rows", async () => {
    const s = await roster("utf8-bom.csv");
    expect(s).toMatchObject({ encoding: "utf-8-bom", rows: 3, inserted: 3, rejected: 0, corrected: 0 });
  });

  it("UTF-16LE tab-separated from Excel: 3 rows, 1 lead", async () => {
    const s = await roster("utf16le-excel-unicode.txt");
    expect(s).toMatchObject({ encoding: "utf-16le", rows: 3, inserted: 3, leadsCreated: 1 });
    const imp = getImport(h, clerkPs, s.importId);
    expect(imp.delimiter).toBe("\t");
  });

  it("tab-separated with a blank line: the blank line is not a row", async () => {
    const s = await roster("tab-separated.tsv");
    expect(s).toMatchObject({ rows: 4, inserted: 4, rejected: 0 });
    balanced(s);
  });

  it("quoted commas and line breaks: 3 rows, a note on the file's row 4", async () => {
    const s = await roster("quoted-newlines.csv");
    expect(s).toMatchObject({ rows: 3, inserted: 3, corrected: 1, rejected: 0 });
    expect(issues(s.importId)).toEqual([
      {
        rowNumber: 4,
        outcome: "corrected",
        column: "手机号",
        value: "1380000000",
        reason: "手机号码应为 11 位，实际为 10 位，已忽略该手机号",
      },
    ]);
    const stations = h.sqlite.prepare("SELECT station FROM workers ORDER BY id_number").pluck().all();
    expect(stations).toEqual(["牡丹区,东站", '牡丹区 西站（"新"）', "北站"]);
  });

  it("scientific-notation IDs: each rejected with that reason, never counted as duplicates of each other", async () => {
    const s = await roster("excel-scientific-ids.csv");
    expect(s).toMatchObject({ rows: 4, inserted: 1, rejected: 3, duplicates: 0, leadsCreated: 0 });
    balanced(s);
    const list = issues(s.importId);
    expect(list.map((i) => [i.rowNumber, i.outcome, i.column, i.value])).toEqual([
      [2, "rejected", "身份证号", "3.71702E+17"],
      [3, "rejected", "身份证号", "3.71702E+17"],
      [4, "rejected", "身份证号", "3.71702E+17"],
    ]);
    for (const i of list) expect(i.reason).toBe("身份证号被 Excel 转成了科学计数法，后几位已丢失，请将该列设为文本后重新导出");
  });

  it("lowercase final x: corrected to X with a note", async () => {
    const s = await roster("lowercase-x.csv");
    expect(s).toMatchObject({ rows: 2, inserted: 2, corrected: 1, rejected: 0 });
    expect(issues(s.importId)).toEqual([
      {
        rowNumber: 2,
        outcome: "corrected",
        column: "身份证号",
        value: `${fixtureIdWithX().id.slice(0, 17)}x`,
        reason: "末位小写 x 已改为大写 X",
      },
    ]);
    expect(h.sqlite.prepare("SELECT count(*) FROM workers WHERE id_number = ?").pluck().get(fixtureIdWithX().id)).toBe(1);
  });

  it("full-width digits and stray spaces: normalised with notes", async () => {
    const s = await roster("fullwidth-digits.csv");
    expect(s).toMatchObject({ rows: 3, inserted: 3, corrected: 2, rejected: 0 });
    const list = issues(s.importId);
    expect(list.map((i) => [i.rowNumber, i.column, i.reason])).toEqual([
      [2, "身份证号", "全角字符已转为半角"],
      // The reason never repeats the number whole: everyone who may open the import reads it.
      [2, "手机号", "手机号已规范为 138****0001"],
      [3, "身份证号", "已去除空格"],
      [3, "手机号", "手机号已规范为 138****0002"],
    ]);
    const w = h.sqlite.prepare("SELECT name, id_number AS id, phone FROM workers ORDER BY id_number").all();
    expect(w).toEqual([
      { name: "张伟", id: fixtureId(0), phone: "13800000001" },
      { name: "王芳", id: fixtureId(1), phone: "13800000002" },
      { name: "李娜", id: fixtureId(2), phone: "13800000003" },
    ]);
  });

  it("duplicate rows: judged on the ID number, naming the row repeated", async () => {
    const s = await roster("duplicate-rows.csv");
    expect(s).toMatchObject({ rows: 5, inserted: 3, duplicates: 2, rejected: 0 });
    balanced(s);
    expect(issues(s.importId).map((i) => [i.rowNumber, i.outcome, i.reason])).toEqual([
      [4, "duplicate", "与第2行的身份证号重复，本行未导入"],
      [6, "duplicate", "与第2行的身份证号重复，本行未导入"],
    ]);
    // The first occurrence wins.
    expect(h.sqlite.prepare("SELECT phone FROM workers WHERE id_number = ?").pluck().get(fixtureId(0))).toBe("13800000001");
  });

  it(".xlsx: title row skipped, date cells read, a numeric ID rejected as scientific notation", async () => {
    const s = await roster("roster.xlsx");
    expect(s).toMatchObject({ encoding: "xlsx", rows: 4, inserted: 3, rejected: 1, leadsCreated: 2 });
    const list = issues(s.importId);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rowNumber: 5, outcome: "rejected", column: "身份证号" });
    expect(list[0]!.reason).toMatch(/科学计数法/);
    expect(h.sqlite.prepare("SELECT hired_on FROM workers WHERE id_number = ?").pluck().get(fixtureId(0))).toBe("2024-03-05");
    expect(h.sqlite.prepare("SELECT hired_on FROM workers WHERE id_number = ?").pluck().get(fixtureId(3))).toBe("2024-01-30");
  });

  it.each([
    ["missing-id-column.csv", "missing_columns", /缺少必需的列：“身份证号”/],
    ["empty.csv", "empty_file", /空的/],
    ["header-only.csv", "empty_file", /没有数据行/],
    ["binary-renamed.csv", "not_a_table", /不是表格/],
  ])("%s stops before anything is written (%s)", async (file, code, message) => {
    const before = snapshot();
    const e = await refusal(roster(file));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(snapshot()).toEqual(before);
    expect(count("imports")).toBe(0);
  });

  it("a file over the size limit stops before anything is written", async () => {
    const e = await refusal(roster("gbk-crlf.csv", { limits: { maxBytes: 100 } }));
    expect(e.status).toBe(413);
    expect(count("imports")).toBe(0);
  });

  it("keeps the file's SHA-256, size, uploader and time with the import", async () => {
    const s = await roster("utf8-bom.csv", { originalName: "花名册.csv" });
    const imp = getImport(h, clerkPs, s.importId);
    const { createHash } = await import("node:crypto");
    expect(imp.sha256).toBe(
      createHash("sha256")
        .update(fs.readFileSync(f("utf8-bom.csv")))
        .digest("hex"),
    );
    expect(imp.sizeBytes).toBe(fs.statSync(f("utf8-bom.csv")).size);
    expect(imp.userId).toBe(clerkPs.id);
    expect(imp.originalName).toBe("花名册.csv");
    expect(imp.status).toBe("succeeded");
    expect(imp.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(imp.summary).toEqual(s);
  });
});

describe("idempotent and atomic", () => {
  it("a second import of the same file changes nothing", async () => {
    await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id, source: "cli" });
    const first = await roster("gbk-crlf.csv");
    expect(first).toMatchObject({ inserted: 5, membersMatched: 1, leadsCreated: 1 });
    const before = snapshot();
    const second = await roster("gbk-crlf.csv");
    expect(second).toMatchObject({ rows: 5, inserted: 0, updated: 0, unchanged: 5, leadsCreated: 0, departed: 0, membersMatched: 1 });
    const after = snapshot();
    // Only the record of the second import itself is new (its audit entry; it has no issues).
    expect(after.audit_log).toHaveLength(before.audit_log!.length + 1);
    for (const t of TABLES.filter((t) => t !== "audit_log")) expect(after[t], t).toEqual(before[t]);
  });

  it("the same file again another day goes through every row and still changes nothing but the last-seen date", async () => {
    await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    await roster("gbk-crlf.csv");
    const before = snapshot();
    const again = await roster("gbk-crlf.csv", { today: "2099-01-01" });
    expect(again).toMatchObject({ rows: 5, inserted: 0, updated: 0, unchanged: 5, leadsCreated: 0, departed: 0, membersMatched: 1 });
    expect(getImport(h, clerkPs, again.importId).summary).not.toHaveProperty("sameAsImportId");
    const after = snapshot();
    for (const t of ["leads", "members", "member_events", "reference_members"]) expect(after[t], t).toEqual(before[t]);
    const strip = (rows: unknown[]) => (rows as Record<string, unknown>[]).map(({ last_seen_on: _seen, ...rest }) => rest);
    expect(strip(after.workers!)).toEqual(strip(before.workers!));
    expect(h.sqlite.prepare("SELECT DISTINCT last_seen_on FROM workers").pluck().all()).toEqual(["2099-01-01"]);
  });

  it("the same file again the same day is recognised by its SHA-256: the first import's counts and issue list stand", async () => {
    const first = await roster("duplicate-rows.csv");
    const before = snapshot();
    const second = await roster("duplicate-rows.csv");
    expect(second).toEqual({ ...first, importId: second.importId, inserted: 0, unchanged: first.inserted });
    expect(getImport(h, clerkPs, second.importId).summary).toMatchObject({ sameAsImportId: first.importId });
    expect(issues(second.importId)).toEqual(issues(first.importId));
    const after = snapshot();
    for (const t of ["workers", "leads", "members", "member_events"]) expect(after[t], t).toEqual(before[t]);
  });

  it("the same file the same day still links members brought since; another committee's reference list is never matched", async () => {
    await roster("gbk-crlf.csv");
    // A reference list imported into another committee is that committee's: no lead for HZ-PS's workers …
    const admin = loadActor(h.db, city.userIds.admin!)!;
    const ref = await runImport(h, admin, { kind: "members", reference: true, file: f("reference-members.csv"), orgId: city.dl.id });
    expect(ref.leadsCreated).toBe(0);
    // … and a member list links 张伟 at once.
    await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    const again = await roster("gbk-crlf.csv");
    expect(getImport(h, clerkPs, again.importId).summary).toHaveProperty("sameAsImportId");
    // The roster again: HZ-DL's list does not apply to HZ-PS's roster, as the full path would not find it either.
    expect(again).toMatchObject({ unchanged: 5, membersMatched: 1, leadsCreated: 0 });
    const full = await roster("gbk-crlf.csv", { today: "2099-01-01" });
    expect(full).toMatchObject({ unchanged: 5, membersMatched: 1, leadsCreated: 0 });
    expect(h.sqlite.prepare("SELECT count(*) FROM leads WHERE id_number = ?").pluck().get(fixtureId(1))).toBe(0);
    // A list of the city department applies to every committee below it: 王芳 is found at its import.
    const cityList = await runImport(h, admin, { kind: "members", reference: true, file: f("reference-members.csv"), orgId: city.root.id });
    expect(cityList).toMatchObject({ inserted: 2, leadsCreated: 1 });
    expect(h.sqlite.prepare("SELECT channel, committee_id AS c FROM leads WHERE id_number = ?").get(fixtureId(1))).toEqual({
      channel: "data_match",
      c: city.ps.id,
    });
  });

  it("another import of the platform in between means the file is read again", async () => {
    await roster("gbk-crlf.csv");
    await roster("utf8-bom.csv");
    const third = await roster("gbk-crlf.csv");
    expect(getImport(h, clerkPs, third.importId).summary).not.toHaveProperty("sameAsImportId");
    expect(third).toMatchObject({ rows: 5, inserted: 0, updated: 5, unchanged: 0, departed: 0 }); // 3 changed back, 2 returned
  });

  it("a member list imported twice changes nothing the second time", async () => {
    const first = await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    expect(first).toMatchObject({ inserted: 3, updated: 0 });
    const before = snapshot();
    const second = await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    expect(second).toMatchObject({ rows: 3, inserted: 0, updated: 0, unchanged: 3 });
    const after = snapshot();
    for (const t of ["members", "member_events", "workers", "leads"]) expect(after[t], t).toEqual(before[t]);
  });

  it.each(["workers", "departures", "members", "leads"])("a failure after the %s step leaves every table as it was", async (failAt) => {
    await roster("utf8-bom.csv");
    const before = snapshot();
    const e = await roster("gbk-crlf.csv", {
      afterStep: (step) => {
        if (step === failAt) throw new Error("disk full (simulated)");
      },
    }).catch((x: unknown) => x);
    expect((e as Error).message).toBe("disk full (simulated)");
    expect(snapshot()).toEqual(before);
    const failed = h.sqlite.prepare("SELECT status, error FROM imports ORDER BY id DESC LIMIT 1").get();
    expect(failed).toEqual({ status: "failed", error: "导入失败：写入数据库时出错，数据库未被修改。" });
  });

  it.each(["members_updated", "members_created", "workers_linked"])(
    "a member list failing after %s leaves every table as it was",
    async (failAt) => {
      await roster("gbk-crlf.csv");
      const before = snapshot();
      await expect(
        runImport(h, clerkPs, {
          kind: "members",
          file: f("members.csv"),
          orgId: city.psBranch.id,
          afterStep: (step) => {
            if (step === failAt) throw new Error("killed (simulated)");
          },
        }),
      ).rejects.toThrow("killed (simulated)");
      expect(snapshot()).toEqual(before);
    },
  );

  it("a dry run reports what would happen and changes nothing", async () => {
    const before = snapshot();
    const s = await roster("duplicate-rows.csv", { dryRun: true });
    expect(s).toMatchObject({ rows: 5, inserted: 3, duplicates: 2 });
    const after = snapshot();
    expect(after.workers).toEqual(before.workers);
    expect(after.leads).toEqual(before.leads);
    expect(getImport(h, clerkPs, s.importId).status).toBe("dry_run");
    expect(issues(s.importId)).toHaveLength(2);
  });
});

describe("one import per platform at a time", () => {
  it("refuses a second import of the same platform while one runs", async () => {
    // The first has taken the lock and is reading its file.
    const first = await prepareImport(h, clerkPs, { kind: "roster", file: f("gbk-crlf.csv"), platform: "某外卖平台", orgId: city.ps.id });
    const e = await refusal(roster("utf8-bom.csv"));
    expect(e.status).toBe(409);
    expect(e.message).toBe(`平台“某外卖平台”的另一次导入（#${first.importId}）正在进行，请等它完成后再导入。`);
    expect(count("imports")).toBe(1);
    expect((await executeImport(h, first)).inserted).toBe(5);
    // Once it is done, the platform is free again.
    expect(await roster("utf8-bom.csv")).toMatchObject({ rows: 3, updated: 3, departed: 2 });
  });

  it("of two started together, exactly one runs", async () => {
    const results = await Promise.allSettled([roster("gbk-crlf.csv"), roster("utf8-bom.csv")]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    // Either the second was refused while the first ran, or the first had already finished.
    if (refused.length === 1) expect(((refused[0] as PromiseRejectedResult).reason as AppError).status).toBe(409);
    else expect(ok).toHaveLength(2);
    expect(h.sqlite.prepare("SELECT count(*) FROM imports WHERE status = 'running'").pluck().get()).toBe(0);
  });

  it("lets another platform run alongside", async () => {
    const results = await Promise.all([roster("gbk-crlf.csv"), roster("utf8-bom.csv", { platform: "另一平台" })]);
    expect(results.map((r) => r.inserted)).toEqual([5, 3]);
  });

  it("takes over the lock of an import whose process died", async () => {
    const old = new Date(Date.now() - STALE_LOCK_MS - 60_000).toISOString();
    h.sqlite
      .prepare(
        "INSERT INTO imports (kind, platform, org_id, status, started_at, heartbeat_at) VALUES ('roster', '某外卖平台', ?, 'running', ?, ?)",
      )
      .run(city.ps.id, old, old);
    const s = await roster("utf8-bom.csv");
    expect(s.inserted).toBe(3);
    expect(h.sqlite.prepare("SELECT status FROM imports WHERE id = 1").pluck().get()).toBe("failed");
  });

  it("refuses while a live import holds the lock", async () => {
    const now = new Date().toISOString();
    h.sqlite
      .prepare(
        "INSERT INTO imports (kind, platform, org_id, status, started_at, heartbeat_at) VALUES ('roster', '某外卖平台', ?, 'running', ?, ?)",
      )
      .run(city.ps.id, now, now);
    expect((await refusal(roster("utf8-bom.csv"))).status).toBe(409);
    expect(count("workers")).toBe(0);
  });
});

describe("scope", () => {
  it("a clerk cannot import into another committee, nor see its imports", async () => {
    const e = await refusal(runImport(h, clerkDl, { kind: "roster", file: f("utf8-bom.csv"), platform: "某外卖平台", orgId: city.ps.id }));
    // The organization is the form's choice: refused on that field.
    expect(e.status).toBe(422);
    expect(e.fieldErrors?.orgId).toBe("所选党组织不存在或不在您的管辖范围内");
    expect(count("imports")).toBe(0);
    const s = await roster("utf8-bom.csv");
    expect((await refusal(Promise.resolve().then(() => getImport(h, clerkDl, s.importId)))).status).toBe(404);
    expect(listImports(h, clerkDl).rows).toHaveLength(0);
    expect(listImports(h, clerkPs).rows.map((r) => r.id)).toEqual([s.importId]);
    expect((await refusal(Promise.resolve().then(() => importProgress(h, clerkDl, s.importId)))).status).toBe(404);
  });

  it("a supervisor reads but cannot import; a secretary cannot import into the committee", async () => {
    const sup = loadActor(h.db, city.userIds.supervisor!)!;
    expect((await refusal(runImport(h, sup, { kind: "roster", file: f("utf8-bom.csv"), platform: "P", orgId: city.ps.id }))).status).toBe(
      403,
    );
    const sec = loadActor(h.db, city.userIds.secretaryPs!)!;
    expect((await refusal(runImport(h, sec, { kind: "roster", file: f("utf8-bom.csv"), platform: "P", orgId: city.ps.id }))).status).toBe(
      422,
    );
  });

  it("a roster goes to a committee, not a branch", async () => {
    const e = await refusal(runImport(h, clerkPs, { kind: "roster", file: f("utf8-bom.csv"), platform: "P", orgId: city.psBranch.id }));
    expect(e.fieldErrors?.orgId).toMatch(/行业党委/);
  });
});

describe("rows held by others", () => {
  const tempTriggers = () => h.sqlite.prepare("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'").pluck().get() as number;
  const psWorkers = () => h.sqlite.prepare("SELECT * FROM workers WHERE org_id = ? ORDER BY id").all(city.ps.id);

  it("a roster naming workers another committee holds on the platform: skipped whole, listed, and the same file again today answers the same", async () => {
    await roster("gbk-crlf.csv");
    const before = psWorkers();
    // HZ-DL's clerk imports HZ-PS's platform: the first two rows name HZ-PS's workers, the third nobody's.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "held-"));
    const file = path.join(dir, "r.csv");
    fs.writeFileSync(file, `身份证号,姓名,手机号\n${fixtureId(0)},改名字,\n${fixtureId(1)},王芳,13900000000\n${fixtureId(30)},新人,\n`);
    try {
      const attack = () => runImport(h, clerkDl, { kind: "roster", file, platform: "某外卖平台", orgId: city.dl.id, source: "cli" });
      const first = await attack();
      balanced(first);
      expect(first).toMatchObject({
        rows: 3,
        inserted: 1,
        updated: 0,
        unchanged: 0,
        rejected: 2,
        departed: 0,
        membersMatched: 0,
        leadsCreated: 0,
      });
      expect(issues(first.importId).map((i) => [i.rowNumber, i.outcome, i.column, i.value])).toEqual([
        [2, "rejected", "身份证号", fixtureId(0)],
        [3, "rejected", "身份证号", fixtureId(1)],
      ]);
      expect(psWorkers()).toEqual(before);
      expect(tempTriggers()).toBe(0);
      // The shortcut (same file, same day, nothing between) keeps the counts and the list, and touches nothing either.
      const second = await attack();
      expect(getImport(h, clerkDl, second.importId).summary).toMatchObject({ sameAsImportId: first.importId });
      expect(second).toMatchObject({ rows: 3, inserted: 0, unchanged: 1, rejected: 2 });
      expect(issues(second.importId)).toEqual(issues(first.importId));
      expect(psWorkers()).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failure right after the guarded upsert leaves every table as it was, and no guard behind", async () => {
    await roster("gbk-crlf.csv");
    const before = snapshot();
    await expect(
      runImport(h, clerkDl, {
        kind: "roster",
        file: f("utf8-bom.csv"),
        platform: "某外卖平台",
        orgId: city.dl.id,
        afterStep: (step) => {
          if (step === "workers") throw new Error("disk full (simulated)");
        },
      }),
    ).rejects.toThrow("disk full (simulated)");
    expect(snapshot()).toEqual(before);
    expect(tempTriggers()).toBe(0);
  });

  it("a member list naming a member of another organization: not imported, not changed, listed", async () => {
    const before = h.sqlite.prepare("SELECT * FROM members WHERE id = ?").get(city.psMember.id);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "held-"));
    const file = path.join(dir, "m.csv");
    fs.writeFileSync(file, `姓名,身份证号,人员类别,联系电话\n改名字,${city.psMember.idNumber},正式党员,13912345678\n`);
    try {
      const s = await runImport(h, clerkDl, { kind: "members", file, orgId: city.dlBranch.id });
      balanced(s);
      expect(s).toMatchObject({ rows: 1, inserted: 0, updated: 0, unchanged: 0, rejected: 1 });
      expect(issues(s.importId)).toEqual([
        {
          rowNumber: 2,
          outcome: "rejected",
          column: "身份证号",
          value: city.psMember.idNumber,
          reason: expect.stringContaining("已由其他党组织登记为党员"),
        },
      ]);
      expect(h.sqlite.prepare("SELECT * FROM members WHERE id = ?").get(city.psMember.id)).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("matching: the finds", () => {
  it("links workers to known members (data_match) and never raises a lead for them", async () => {
    const m = await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    expect(m).toMatchObject({ kind: "members", rows: 3, inserted: 3, membersMatched: 0 });
    const created = h.sqlite
      .prepare("SELECT relation_status AS rel, org_id AS org, category FROM members WHERE id_number = ?")
      .get(fixtureId(20));
    expect(created).toEqual({ rel: "local", org: city.psBranch.id, category: "probationary" });
    const s = await roster("gbk-crlf.csv");
    expect(s).toMatchObject({ membersMatched: 1, leadsCreated: 1 }); // 张伟 is a member; only 陈静 becomes a lead
    const memberId = h.sqlite.prepare("SELECT id FROM members WHERE id_number = ?").pluck().get(fixtureId(0));
    expect(h.sqlite.prepare("SELECT member_id FROM workers WHERE id_number = ?").pluck().get(fixtureId(0))).toBe(memberId);
    expect(h.sqlite.prepare("SELECT kind FROM member_events WHERE member_id = ? ORDER BY id").pluck().all(memberId)).toEqual([
      "created",
      "platform_matched",
    ]);
    // Written by SQL from the rows being linked (apply-roster.ts): signed, worded and detailed as one entry a link.
    expect(h.sqlite.prepare("SELECT user_id AS userId, summary, details FROM member_events WHERE kind = 'platform_matched'").all()).toEqual(
      [
        {
          userId: clerkPs.id,
          summary: "在“某外卖平台”平台的从业人员花名册中比对到本人",
          details: JSON.stringify({ importId: s.importId, platform: "某外卖平台" }),
        },
      ],
    );
    // The same file again the same day links nobody new: no second entry.
    await roster("gbk-crlf.csv");
    expect(h.sqlite.prepare("SELECT count(*) FROM member_events WHERE kind = 'platform_matched'").pluck().get()).toBe(1);
  });

  it("links the organization's people of the platform whose member appeared since: those the roster leaves out (gone or not) and its own", async () => {
    await roster("gbk-crlf.csv"); // 5 people, nobody a member yet
    // 张伟 and 孙丽 become members of another committee: its list links only the workers in its own scope.
    const m = await runImport(h, clerkDl, { kind: "members", file: f("members.csv"), orgId: city.dlBranch.id });
    expect(m.membersMatched).toBe(0);
    expect(h.sqlite.prepare("SELECT count(*) FROM workers WHERE member_id IS NOT NULL").pluck().get()).toBe(0);
    const [zhang, sun] = [fixtureId(0), "371702199001211202"].map(
      (id) => h.sqlite.prepare("SELECT id FROM members WHERE id_number = ?").pluck().get(id) as number,
    );
    // The next roster leaves 张伟 out (he is gone, and still linked) and brings 孙丽 (new, linked).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
    const next = path.join(dir, "next.csv");
    fs.writeFileSync(next, `姓名,身份证号\n王芳,${fixtureId(1)}\n李娜,${fixtureId(2)}\n孙丽,371702199001211202\n`);
    const s = await runImport(h, clerkPs, { kind: "roster", file: next, platform: "某外卖平台", orgId: city.ps.id, today: "2030-01-02" });
    // Members of another committee: linked, but not counted to the importer.
    expect(s).toMatchObject({ rows: 3, inserted: 1, departed: 3, membersMatched: 0 });
    const linked = h.sqlite
      .prepare("SELECT id_number AS id, member_id AS member, left_on AS left FROM workers WHERE member_id IS NOT NULL ORDER BY id_number")
      .all();
    expect(linked).toEqual([
      { id: fixtureId(0), member: zhang, left: "2030-01-02" },
      { id: "371702199001211202", member: sun, left: null },
    ]);
    const events = h.sqlite
      .prepare("SELECT member_id AS member, details FROM member_events WHERE kind = 'platform_matched' ORDER BY member_id")
      .all();
    const details = JSON.stringify({ importId: s.importId, platform: "某外卖平台" });
    expect(events).toEqual([zhang!, sun!].sort((x, y) => x - y).map((member) => ({ member, details })));
    // Another day, the same roster: nobody new to link, no second entry.
    await runImport(h, clerkPs, { kind: "roster", file: next, platform: "某外卖平台", orgId: city.ps.id, today: "2030-01-03" });
    expect(h.sqlite.prepare("SELECT count(*) FROM member_events WHERE kind = 'platform_matched'").pluck().get()).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a member list imported after the roster links the workers too", async () => {
    await roster("gbk-crlf.csv");
    const m = await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    expect(m.membersMatched).toBe(1);
    expect(h.sqlite.prepare("SELECT count(*) FROM workers WHERE member_id IS NOT NULL").pluck().get()).toBe(1);
    // On the member's timeline, written by SQL from the links found (apply-members.ts), one entry a link.
    const memberId = h.sqlite.prepare("SELECT id FROM members WHERE id_number = ?").pluck().get(fixtureId(0));
    expect(
      h.sqlite
        .prepare("SELECT member_id AS memberId, user_id AS userId, summary, details FROM member_events WHERE kind = 'platform_matched'")
        .all(),
    ).toEqual([
      {
        memberId,
        userId: clerkPs.id,
        summary: "在“某外卖平台”平台的从业人员花名册中比对到本人",
        details: JSON.stringify({ importId: m.importId, platform: "某外卖平台" }),
      },
    ]);
  });

  it("a reference list raises data_match leads for workers in scope, once", async () => {
    await roster("gbk-crlf.csv");
    const r = await runImport(h, clerkPs, { kind: "members", reference: true, file: f("reference-members.csv"), orgId: city.ps.id });
    expect(r).toMatchObject({ rows: 2, inserted: 2, membersMatched: 1, leadsCreated: 1 });
    expect(
      h.sqlite.prepare("SELECT channel, home_org_name AS home, committee_id AS c FROM leads WHERE id_number = ?").get(fixtureId(1)),
    ).toEqual({
      channel: "data_match",
      home: "某县某镇某村党支部",
      c: city.ps.id,
    });
    expect(count("members")).toBe(3); // the three of the small city: a reference list creates no members
    const again = await runImport(h, clerkPs, { kind: "members", reference: true, file: f("reference-members.csv"), orgId: city.ps.id });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, leadsCreated: 0 });
    // The roster again: 王芳 is already a lead; no second one for her, ever.
    const s = await roster("gbk-crlf.csv");
    expect(s.leadsCreated).toBe(0);
    expect(h.sqlite.prepare("SELECT count(*) FROM leads WHERE id_number = ?").pluck().get(fixtureId(1))).toBe(1);
  });

  it("a roster imported after a reference list raises the data_match lead itself", async () => {
    await runImport(h, clerkPs, { kind: "members", reference: true, file: f("reference-members.csv"), orgId: city.ps.id });
    const s = await roster("gbk-crlf.csv");
    expect(s.leadsCreated).toBe(3);
    expect(h.sqlite.prepare("SELECT channel FROM leads WHERE id_number = ?").pluck().get(fixtureId(1))).toBe("data_match");
  });
});

describe("enterprises", () => {
  it("links a worker to the enterprise its franchisee or station names, within the import's scope", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "enterprises-"));
    const file = path.join(dir, "r.csv");
    fs.writeFileSync(
      file,
      `姓名,身份证号,站点,加盟商\n张伟,${fixtureId(0)},菏泽某配送站,\n王芳,${fixtureId(1)},东站,菏泽某配送站\n李娜,${fixtureId(2)},菏泽某物流有限公司,\n`,
    );
    await roster(file);
    const rows = h.sqlite.prepare("SELECT enterprise_id FROM workers ORDER BY id_number").pluck().all();
    // 李娜's station is an enterprise of HZ-DL: outside HZ-PS's scope, so not linked.
    expect(rows).toEqual([city.psEnterprise.id, city.psEnterprise.id, null]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("departures", () => {
  it("marks people absent from the next roster as left, and brings back those who return", async () => {
    await runImport(h, clerkPs, { kind: "members", file: f("members.csv"), orgId: city.psBranch.id });
    const firstRoster = await roster("gbk-crlf.csv"); // 5 people, 张伟 a member
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "departures-"));
    const next = path.join(dir, "next.csv");
    fs.writeFileSync(next, `姓名,身份证号\n王芳,${fixtureId(1)}\n李娜,${fixtureId(2)}\n`);
    const s = await runImport(h, clerkPs, { kind: "roster", file: next, platform: "某外卖平台", orgId: city.ps.id, today: "2030-01-02" });
    expect(s).toMatchObject({ rows: 2, unchanged: 2, departed: 3 });
    const left = h.sqlite.prepare("SELECT id_number FROM workers WHERE left_on = '2030-01-02' ORDER BY id_number").pluck().all();
    expect(left).toEqual([fixtureId(0), fixtureId(3), fixtureId(4)]);
    // Those seen again, unchanged, only have their last-seen date moved; those gone keep theirs.
    const seen = h.sqlite
      .prepare("SELECT id_number AS id, last_seen_on AS seen, last_import_id AS imp FROM workers ORDER BY id_number")
      .all() as { id: string; seen: string; imp: number }[];
    expect(seen.map((w) => w.seen)).toEqual([todayIso(), "2030-01-02", "2030-01-02", todayIso(), todayIso()]);
    // Nothing in them changed, so the import that last changed them is still the first roster.
    expect(seen.map((w) => w.imp)).toEqual(Array(5).fill(firstRoster.importId));
    const memberId = h.sqlite.prepare("SELECT id FROM members WHERE id_number = ?").pluck().get(fixtureId(0));
    expect(h.sqlite.prepare("SELECT kind FROM member_events WHERE member_id = ? ORDER BY id DESC LIMIT 1").pluck().get(memberId)).toBe(
      "platform_left",
    );
    // Another platform's people are not this roster's departures.
    const back = await roster("gbk-crlf.csv", { today: "2030-02-01" });
    expect(back).toMatchObject({ updated: 3, unchanged: 2, departed: 0 });
    expect(h.sqlite.prepare("SELECT count(*) FROM workers WHERE left_on IS NOT NULL").pluck().get()).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("preview, progress and the background run", () => {
  it("previews how a file was read and which columns map to what", async () => {
    const p = await inspectImportFile(h, clerkPs, { kind: "roster", file: f("gbk-crlf.csv"), platform: "P", orgId: city.ps.id });
    expect(p).toMatchObject({ format: "csv", encoding: "gb18030", delimiter: ",", headerRowNumber: 1, mappingSource: "auto", missing: [] });
    expect(p.mapping).toEqual({
      idNumber: "公民身份号码",
      name: "骑手姓名",
      phone: "联系电话",
      station: "所属站点",
      politicalStatus: "政治面貌",
      hiredOn: "入职日期",
    });
    expect(p.sample).toHaveLength(5);
    const missing = await inspectImportFile(h, clerkPs, {
      kind: "roster",
      file: f("missing-id-column.csv"),
      platform: "P",
      orgId: city.ps.id,
    });
    expect(missing.missing.map((m) => m.key)).toEqual(["idNumber"]);
  });

  it("runs in the background: returns the id at once, progress ends with the summary", async () => {
    let resolveDone!: (s: ImportSummary | null) => void;
    const done = new Promise<ImportSummary | null>((res) => {
      resolveDone = res;
    });
    const id = await startImport(h, clerkPs, { kind: "roster", file: f("gbk-crlf.csv"), platform: "P", orgId: city.ps.id }, (_e, s) =>
      resolveDone(s),
    );
    expect(typeof id).toBe("number");
    const summary = await done;
    const p = importProgress(h, clerkPs, id);
    expect(p).toMatchObject({ status: "succeeded", phase: "done", rowsDone: 5, bytesDone: fs.statSync(f("gbk-crlf.csv")).size });
    expect(p.summary).toEqual(summary);
  });

  it("uses a mapping the clerk edited, and saves it for the platform", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mapping-"));
    const file = path.join(dir, "odd.csv");
    fs.writeFileSync(file, `人员,号码,备注\n张伟,${fixtureId(0)},x\n`);
    const e = await refusal(roster(file));
    expect(e.code).toBe("missing_columns");
    const s = await runImport(h, clerkPs, {
      kind: "roster",
      file,
      platform: "怪平台",
      orgId: city.ps.id,
      mapping: { name: "人员", idNumber: "号码" },
      saveMappingAs: "怪平台",
    });
    expect(s.inserted).toBe(1);
    const again = await inspectImportFile(h, clerkPs, { kind: "roster", file, platform: "怪平台", orgId: city.ps.id });
    expect(again).toMatchObject({ mappingSource: "saved", missing: [] });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
