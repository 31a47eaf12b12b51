import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { STATS_SCOPE_KINDS } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { actorOf } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { canUnmask } from "../policy/actor.js";
import { signedIn } from "../policy/roles.js";
import { downloadQuerySchema, figureParamsSchema, figureQuerySchema } from "../schemas/reports.schema.js";
import { type FigureKey, listFigureRows, RATE_DEFS, type StatsScope } from "../services/coverage/coverage.service.js";
import { figureHref } from "../services/coverage/dashboard.js";
import { listSnapshots } from "../services/coverage/snapshots.js";
import { EXPORT_TITLES, prepareExport } from "../services/export/export.service.js";
import * as orgs from "../services/orgs/orgs.service.js";

export function reportsRouter(deps: Deps) {
  const h = reportHandlers(deps);
  const r = Router();

  // -- Downloads --------------------------------------------------------------------------------
  r.get("/reports", signedIn, h.index);
  r.get("/reports/download", signedIn, validate({ query: downloadQuerySchema }), h.download);

  // -- The rows behind each figure --------------------------------------------------------------
  r.get("/reports/figures/:key", signedIn, validate({ params: figureParamsSchema, query: figureQuerySchema }), h.figure);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

/** What each workbook holds, for the download page. */
const WORKBOOKS = [
  {
    kind: "coverage",
    asOf: true,
    text:
      "“两个覆盖”情况统计表（按行业党委、按县区两块，含合计），应建未建企业、未覆盖企业、已发现未纳管党员和指标说明。" +
      "往月报表取该月月末快照，重新导出结果相同。",
  },
  { kind: "members", asOf: false, text: "党员花名册：范围内现有党员的基本信息、组织关系状态、发现渠道和纳管情况。" },
  { kind: "enterprises", asOf: false, text: "企业名单：每家企业的覆盖情况、覆盖党组织、党建指导员、党员人数和应建未建标记。" },
  { kind: "leads", asOf: false, text: "摸排线索：“四找”发现的线索及其核实结果。" },
  {
    kind: "transfers",
    asOf: true,
    text: "组织关系转接台账：介绍信编号、转出转入单位、有效期、状态和是否超期（按统计截止日期判断）。",
  },
  {
    kind: "national-members",
    asOf: false,
    text: "全国党员管理信息系统格式的党员信息（按该系统的列顺序），附每名党员的信息完整度和缺少的信息项。",
  },
  { kind: "workers", asOf: false, text: "平台从业人员花名册：各平台导入的从业人员。" },
  {
    kind: "risk",
    asOf: false,
    text: "流失风险名单：每人一行，列出失联、转接超期、离开所有平台、活动证过期、线索久未核实等风险信号及应办事项。",
  },
] as const;

/** RFC 6266: an ASCII fallback and the Chinese name in filename*. */
function attachment(filename: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function reportHandlers({ db, logger }: Deps) {
  return {
    index(req: Request, res: Response) {
      const actor = actorOf(req);
      res.render("reports/index", {
        title: "统计报表",
        workbooks: WORKBOOKS.map((w) => ({ ...w, title: EXPORT_TITLES[w.kind] })),
        orgOptions: orgs.orgOptions(db, actor, STATS_SCOPE_KINDS),
        snapshots: listSnapshots(db, actor),
        today: todayIso(),
        unmasked: canUnmask(actor),
      });
    },
    async download(req: Request, res: Response) {
      const q = req.valid.query as { kind: keyof typeof EXPORT_TITLES; org: number | null; asOf: string | null };
      const prepared = prepareExport(db, actorOf(req), { kind: q.kind, orgId: q.org, asOf: q.asOf, ip: req.ip ?? null });
      await prepared.head?.(); // the coverage workbook's report, counted off this thread
      res.setHeader("Content-Type", prepared.contentType);
      res.setHeader("Content-Disposition", attachment(prepared.filename, `${q.kind}-${q.asOf ?? todayIso()}.xlsx`));
      try {
        await prepared.run(res);
      } catch (err) {
        if (!res.headersSent) throw err;
        // Half a workbook must not look like a finished download: break the connection instead.
        logger.warn({ err, kind: q.kind }, "export aborted while streaming");
        res.destroy();
      }
    },
    figure(req: Request, res: Response) {
      const key = (req.valid.params as { key: FigureKey }).key;
      const q = req.valid.query as { scope: StatsScope; asOf: string | null; page: number };
      const list = listFigureRows(db, actorOf(req), q.scope, key, { asOf: q.asOf, page: q.page, pageSize: 50 });
      const rates = Object.values(RATE_DEFS).filter((d) => d.numerator === key || d.denominator === key);
      res.render("reports/figure", {
        title: list.label,
        list,
        rates,
        hasMore: list.page * 50 < list.total,
        filters: { scope: req.query.scope ?? "", asOf: q.asOf ?? "" },
        hrefOf: (k: FigureKey) => figureHref(k, q.scope, q.asOf ?? undefined),
      });
    },
  };
}
