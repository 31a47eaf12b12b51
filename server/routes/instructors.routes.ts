import { type NextFunction, type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { INSTRUCTOR_KIND } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAndAdmins, signedIn } from "../policy/roles.js";
import {
  assignmentInputSchema,
  assignmentParams,
  endAssignmentSchema,
  INSTRUCTOR_STATUS_LABEL,
  instructorInputSchema,
  instructorListQuery,
  instructorParams,
} from "../schemas/instructors.schema.js";
import * as instructors from "../services/enterprises/instructors.js";

const byId = validate({ params: instructorParams });
const byAssignment = validate({ params: assignmentParams });
const endBody = validate({ body: endAssignmentSchema });

export function instructorsRouter(deps: Deps) {
  const h = instructorHandlers(deps);
  const onNew = form("instructors/form", h.newFormLocals);
  const onEdit = form("instructors/form", h.editFormLocals);
  const onDetail = form("instructors/show", h.detailLocals);
  const onEnding = form("instructors/show", h.endingLocals);
  const r = Router();

  // -- Instructor list ------------------------------------------------------------------------
  r.get("/instructors", signedIn, validate({ query: instructorListQuery }), h.list);
  r.get("/instructors/new", clerksAndAdmins, h.newForm);
  r.post("/instructors", clerksAndAdmins, onNew, validate({ body: instructorInputSchema }), h.create);

  // -- One instructor -------------------------------------------------------------------------
  r.get("/instructors/:id", signedIn, byId, h.detail);
  r.get("/instructors/:id/edit", clerksAndAdmins, byId, h.editForm);
  r.post("/instructors/:id", clerksAndAdmins, byId, h.writable, onEdit, validate({ body: instructorInputSchema }), h.update);

  // -- Assignments to enterprises (ended, never deleted) --------------------------------------
  r.post("/instructors/:id/assignments", clerksAndAdmins, byId, h.writable, onDetail, validate({ body: assignmentInputSchema }), h.assign);
  r.post("/instructors/:id/assignments/:assignmentId/end", clerksAndAdmins, byAssignment, h.writable, onEnding, endBody, h.endAssignment);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function instructorHandlers({ db }: Deps) {
  /** Select options every instructor form and the list's filters need. */
  const formLocals = (req: Request) => ({
    ...instructors.instructorFormOptions(db, actorOf(req)),
    kindOptions: Object.entries(INSTRUCTOR_KIND.label),
    statusOptions: Object.entries(INSTRUCTOR_STATUS_LABEL),
  });
  const detailLocals = (req: Request) => {
    const detail = instructors.instructorDetail(db, actorOf(req), req.valid.params.id, todayIso());
    return { title: detail.instructor.name, ...detail, today: todayIso(), statusLabels: INSTRUCTOR_STATUS_LABEL };
  };

  return {
    // -- Locals of the pages re-rendered after a 422 ---------------------------------------------
    newFormLocals: (req: Request) => ({ instructor: null, title: "新增党建指导员", ...formLocals(req) }),
    editFormLocals(req: Request) {
      const i = instructors.instructorForEdit(db, actorOf(req), req.valid.params.id);
      return { instructor: i, title: `修改 ${i.name}`, ...formLocals(req) };
    },
    detailLocals,
    endingLocals: (req: Request) => ({ ...detailLocals(req), endingId: req.valid.params.assignmentId }),

    list(req: Request, res: Response) {
      const filters = req.valid.query;
      const result = instructors.listInstructors(db, actorOf(req), filters, todayIso());
      res.render("instructors/index", {
        title: "党建指导员",
        ...result,
        filters,
        statusLabels: INSTRUCTOR_STATUS_LABEL,
        ...formLocals(req),
      });
    },
    detail(req: Request, res: Response) {
      res.render("instructors/show", detailLocals(req));
    },
    newForm(req: Request, res: Response) {
      const committees = instructors.instructorFormOptions(db, actorOf(req)).committees;
      const values = { kind: "instructor", status: "active", committeeId: committees.length === 1 ? committees[0]!.id : "" };
      res.render("instructors/form", { title: "新增党建指导员", instructor: null, values, ...formLocals(req) });
    },
    create(req: Request, res: Response) {
      const i = instructors.createInstructor(db, actorOf(req), req.body);
      flash(req, "success", `已新增${INSTRUCTOR_KIND.label[i.kind]}“${i.name}”。`);
      res.redirect(303, `/instructors/${i.id}`);
    },
    /** Refuses (404 out of scope, 403 read-only) before a form's body is validated and re-rendered. */
    writable(req: Request, _res: Response, next: NextFunction) {
      instructors.instructorForEdit(db, actorOf(req), req.valid.params.id);
      next();
    },
    editForm(req: Request, res: Response) {
      const i = instructors.instructorForEdit(db, actorOf(req), req.valid.params.id);
      res.render("instructors/form", { title: `修改 ${i.name}`, instructor: i, values: i, ...formLocals(req) });
    },
    update(req: Request, res: Response) {
      const i = instructors.updateInstructor(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已保存。");
      res.redirect(303, `/instructors/${i.id}`);
    },
    assign(req: Request, res: Response) {
      const { enterpriseName } = instructors.assignInstructor(db, actorOf(req), req.valid.params.id, req.body, todayIso());
      flash(req, "success", `已派驻到企业“${enterpriseName}”。`);
      res.redirect(303, `/instructors/${req.valid.params.id}`);
    },
    endAssignment(req: Request, res: Response) {
      const { id, assignmentId } = req.valid.params;
      instructors.endAssignment(db, actorOf(req), id, assignmentId, req.body.endedOn, todayIso());
      flash(req, "success", "已结束该派驻，记录保留在派驻历史中。");
      res.redirect(303, `/instructors/${req.valid.params.id}`);
    },
  };
}
