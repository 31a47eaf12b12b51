import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import {
  ABSENCE_REASON,
  FREQUENCY_LABEL,
  MEETING_FREQUENCY,
  MEETING_TYPE,
  MEETING_TYPES,
  QUORUM_TYPES,
} from "../domain/organizational-life-rules.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { canWrite } from "../policy/actor.js";
import { signedIn, writers } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { figureQuerySchema, meetingSchema, yearQuerySchema } from "../schemas/meetings.schema.js";
import { writeMeetingRecordWorkbook, writeMeetingsYearWorkbook } from "../services/export/meetings.workbook.js";
import * as meetings from "../services/meetings/meetings.service.js";

const byId = validate({ params: z.object({ id: idParam }) });
const byOrg = validate({ params: z.object({ orgId: idParam }) });
const byFigure = validate({ params: z.object({ key: z.string().max(40) }) });
const year = validate({ query: yearQuerySchema });

export function meetingsRouter(deps: Deps) {
  const h = meetingHandlers(deps);
  const onNew = form("meetings/form", h.formLocals);
  const r = Router();

  // -- Organizational life over the scope: branches this month, the figures' rows, the year's workbook
  r.get("/meetings", signedIn, h.index);
  r.get("/meetings/figures/:key", signedIn, byFigure, validate({ query: figureQuerySchema }), h.figure);
  r.get("/meetings/export.xlsx", signedIn, year, h.exportYear);

  // -- One branch: its year by month and type, recording a meeting -------------------------------
  r.get("/meetings/org/:orgId", signedIn, byOrg, year, h.branchYear);
  r.get("/meetings/org/:orgId/export.xlsx", signedIn, byOrg, year, h.exportBranchYear);
  r.get("/meetings/org/:orgId/new", writers, byOrg, h.newForm);
  r.post("/meetings/org/:orgId", writers, byOrg, onNew, validate({ body: meetingSchema }), h.create);

  // -- One meeting (never deleted) ------------------------------------------------------------------
  r.get("/meetings/:id", signedIn, byId, h.show);
  r.get("/meetings/:id/export.xlsx", signedIn, byId, h.exportRecord);

  return r;
}

const typeOptions = MEETING_TYPES.map((t) => [t, `${MEETING_TYPE.label[t]}（${FREQUENCY_LABEL[MEETING_FREQUENCY[t]]}）`]);
const reasonOptions = Object.entries(ABSENCE_REASON.label);

function attachment(filename: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function meetingHandlers({ db }: Deps) {
  const formLocals = (req: Request) => {
    const org = meetings.getHoldingOrg(db, actorOf(req), req.valid.params.orgId);
    const v = (req.body ?? {}) as Record<string, unknown>;
    const heldOn = typeof v.heldOn === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v.heldOn) ? v.heldOn : todayIso();
    return {
      title: "记录组织生活",
      org,
      roster: meetings.branchRoster(db, org, heldOn),
      typeOptions,
      reasonOptions,
      quorumTypes: QUORUM_TYPES,
    };
  };
  return {
    formLocals,
    index(req: Request, res: Response) {
      const actor = actorOf(req);
      const today = todayIso();
      const branches = meetings.listBranches(db, meetings.branchesCond(actor), today.slice(0, 7));
      res.render("meetings/index", {
        title: "组织生活",
        branches,
        figures: meetings.meetingFigures(db, actor, today),
        year: Number(today.slice(0, 4)),
      });
    },
    figure(req: Request, res: Response) {
      const rows = meetings.figureRows(db, actorOf(req), req.valid.params.key, todayIso(), 500, req.valid.query.channel);
      res.render("meetings/figure", { title: rows.label, ...rows });
    },
    branchYear(req: Request, res: Response) {
      const actor = actorOf(req);
      const today = todayIso();
      const grid = meetings.yearGrid(db, actor, req.valid.params.orgId, req.valid.query.year ?? Number(today.slice(0, 4)), today);
      res.render("meetings/year", {
        title: `${grid.org.name} 组织生活`,
        ...grid,
        writable: canWrite(actor) && grid.org.status === "active",
      });
    },
    newForm(req: Request, res: Response) {
      const locals = formLocals(req);
      res.render("meetings/form", { ...locals, values: { heldOn: todayIso(), type: "theme_day" } });
    },
    create(req: Request, res: Response) {
      const m = meetings.recordMeeting(db, actorOf(req), req.valid.params.orgId, req.body);
      if (m.quorumMet === false) {
        flash(
          req,
          "error",
          `已记录，但有表决权的党员到会 ${m.votingPresent} 人，未超过应到 ${m.votingMembers} 人的半数，会议不能作出决定。`,
        );
      } else {
        flash(req, "success", `已记录${MEETING_TYPE.label[m.type]}（${m.heldOn}）。`);
      }
      res.redirect(303, `/meetings/${m.id}`);
    },
    show(req: Request, res: Response) {
      const detail = meetings.getMeeting(db, actorOf(req), req.valid.params.id);
      res.render("meetings/show", { title: `${MEETING_TYPE.label[detail.meeting.type]} ${detail.meeting.heldOn}`, ...detail });
    },
    async exportYear(req: Request, res: Response) {
      const y = req.valid.query.year ?? Number(todayIso().slice(0, 4));
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      res.setHeader("Content-Disposition", attachment(`组织生活台账-${y}.xlsx`, `meetings-${y}.xlsx`));
      await writeMeetingsYearWorkbook(db, actorOf(req), { year: y, ip: req.ip ?? null }, res);
    },
    async exportBranchYear(req: Request, res: Response) {
      const actor = actorOf(req);
      const org = meetings.getHoldingOrg(db, actor, req.valid.params.orgId);
      const y = req.valid.query.year ?? Number(todayIso().slice(0, 4));
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      res.setHeader("Content-Disposition", attachment(`组织生活台账-${org.code}-${y}.xlsx`, `meetings-${org.code}-${y}.xlsx`));
      await writeMeetingsYearWorkbook(db, actor, { orgId: org.id, year: y, ip: req.ip ?? null }, res);
    },
    async exportRecord(req: Request, res: Response) {
      const actor = actorOf(req);
      // Checked before the headers go out, so an id out of scope is an ordinary 404 page.
      const { meeting } = meetings.getMeeting(db, actor, req.valid.params.id);
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      res.setHeader("Content-Disposition", attachment(`会议记录-${meeting.heldOn}-${meeting.id}.xlsx`, `meeting-${meeting.id}.xlsx`));
      await writeMeetingRecordWorkbook(db, actor, meeting.id, res, req.ip ?? null);
    },
  };
}
