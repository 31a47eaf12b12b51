import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { STATS_SCOPE_KINDS } from "../domain/codes.js";
import { isClosed, recentPeriods } from "../domain/official-tables/periods.js";
import { incompleteCells, ROW_KIND_UNIT, sumMissingText } from "../domain/official-tables/table.js";
import { todayIso } from "../domain/dates.js";
import { actorOf } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { canUnmask } from "../policy/actor.js";
import { signedIn } from "../policy/roles.js";
import { tableParamsSchema, tableQuerySchema, tableRowsQuerySchema } from "../schemas/tables.schema.js";
import * as orgs from "../services/orgs/orgs.service.js";
import { prepareTableExport } from "../services/tables/export.js";
import { loadRows } from "../services/tables/rows.js";
import { frozenPeriods } from "../services/tables/store.js";
import { cellList, getTable, resolveTableOrg, TABLES } from "../services/tables/tables.service.js";
import { periodLine, sourceLine } from "../services/tables/workbook.js";

const PAGE_SIZE = 50;

export function tablesRouter(deps: Deps) {
  const h = tableHandlers(deps);
  const r = Router();

  // -- The official tables (党内统计): index, table, the list behind a cell, downloads -------------
  r.get("/tables", signedIn, validate({ query: tableQuerySchema }), h.index);
  r.get("/tables/:table.xlsx", signedIn, validate({ params: tableParamsSchema, query: tableQuerySchema }), h.download);
  r.get("/tables/:table/rows.xlsx", signedIn, validate({ params: tableParamsSchema, query: tableRowsQuerySchema }), h.rowsDownload);
  r.get("/tables/:table/rows", signedIn, validate({ params: tableParamsSchema, query: tableRowsQuerySchema }), h.rows);
  r.get("/tables/:table", signedIn, validate({ params: tableParamsSchema, query: tableQuerySchema }), h.table);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

type Q = { org: string | null; period: string | null };
type RowsQ = Q & { key: string; page: number };

/** RFC 6266: an ASCII fallback and the Chinese name in filename*. */
function attachment(filename: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function tableHandlers({ db, logger, caches }: Deps) {
  const cache = caches.tables;
  const send = async (res: Response, prepared: ReturnType<typeof prepareTableExport>) => {
    res.setHeader("Content-Type", prepared.contentType);
    res.setHeader("Content-Disposition", attachment(prepared.filename, prepared.fallback));
    try {
      await prepared.run(res);
    } catch (err) {
      if (!res.headersSent) throw err;
      logger.warn({ err }, "official table export aborted while streaming");
      res.destroy();
    }
  };
  return {
    index(req: Request, res: Response) {
      const actor = actorOf(req);
      const q = req.valid.query as Q;
      const org = resolveTableOrg(db, actor, q.org);
      const today = todayIso();
      const frozen = new Set(frozenPeriods(db, org.id).map((f) => `${f.tableId}:${f.period}`));
      res.render("tables/index", {
        title: "党内统计报表",
        org,
        tables: TABLES.map((t) => t.def),
        periods: recentPeriods(today).map((p) => ({ ...p, closed: isClosed(p, today) })),
        frozen,
        orgOptions: orgs.orgOptions(db, actor, STATS_SCOPE_KINDS),
      });
    },
    table(req: Request, res: Response) {
      const actor = actorOf(req);
      const table = (req.valid.params as { table: string }).table;
      const q = req.valid.query as Q;
      const t = getTable(db, actor, table, { ...q, cache });
      res.render("tables/table", {
        title: t.table.title,
        t: t.table,
        org: t.org,
        query: { org: t.org.code, period: t.period.id },
        incomplete: incompleteCells(t.table),
        periodText: periodLine(t.table),
        sourceText: sourceLine(t.table),
      });
    },
    rows(req: Request, res: Response) {
      const actor = actorOf(req);
      const table = (req.valid.params as { table: string }).table;
      const q = req.valid.query as RowsQ;
      const list = cellList(db, actor, table, { ...q, cache });
      const page = list.refs.slice((q.page - 1) * PAGE_SIZE, q.page * PAGE_SIZE);
      res.render("tables/rows", {
        title: `${list.table.title}：${list.label}`,
        list,
        rows: loadRows(db, page, { unmask: false }),
        rowUnit: ROW_KIND_UNIT[list.kind],
        sumMissing: list.sum ? sumMissingText(list.sum, list.kind) : "",
        page: q.page,
        pageSize: PAGE_SIZE,
        hasMore: q.page * PAGE_SIZE < list.total,
        filters: { org: list.org.code, period: list.period.id, key: list.key },
        unmasked: canUnmask(actor),
      });
    },
    async download(req: Request, res: Response) {
      const table = (req.valid.params as { table: string }).table;
      const q = req.valid.query as Q;
      await send(res, prepareTableExport(db, actorOf(req), table, { ...q, cache, ip: req.ip ?? null }));
    },
    async rowsDownload(req: Request, res: Response) {
      const table = (req.valid.params as { table: string }).table;
      const q = req.valid.query as RowsQ;
      await send(res, prepareTableExport(db, actorOf(req), table, { org: q.org, period: q.period, key: q.key, cache, ip: req.ip ?? null }));
    },
  };
}
