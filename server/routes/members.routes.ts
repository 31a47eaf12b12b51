import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { DISCOVERY_CHANNEL, EDUCATION, ETHNICITY, GENDER, MEMBER_CATEGORY, OCCUPATION, RELATION_STATUS } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf, requireAuth, requireRole } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { idParam } from "../schemas/fields.js";
import { type MemberListQuery, memberCreateSchema, memberListQuerySchema, memberSearchSchema, memberUpdateSchema } from "../schemas/members.schema.js";
import { classifySearch, listMembers, loadOrgs, memberFilterOptions } from "../services/members/list.js";
import * as members from "../services/members/members.service.js";
import { ReadCache } from "../services/read-cache.js";
import { viewHelpers } from "../views/helpers.js";

const params = z.object({ id: idParam });
const writers = requireRole("admin", "clerk", "secretary");

/** The list's filters as they go back into links (cursors and page number left out). */
export function filtersOf(q: MemberListQuery): Record<string, string | number | null> {
  return {
    q: q.q,
    committee: q.committee,
    org: q.org,
    enterprise: q.enterprise,
    occupation: q.occupation,
    category: q.category,
    relation: q.relation,
    channel: q.channel,
    lost: q.lost,
    left: q.left ? "1" : null,
    sort: q.sort === "name" ? null : q.sort,
    dir: q.dir === "asc" ? null : q.dir,
  };
}

/** Code lists for the member form's selects. */
const codeOptions = {
  genderOptions: Object.entries(GENDER.label),
  ethnicityOptions: Object.entries(ETHNICITY),
  educationOptions: Object.entries(EDUCATION.label),
  categoryOptions: Object.entries(MEMBER_CATEGORY.label),
  occupationOptions: Object.entries(OCCUPATION.label),
  channelOptions: Object.entries(DISCOVERY_CHANNEL.label),
};

export function membersRouter({ db, handle }: Deps) {
  // The total under the list (a count over up to 100,000 members: most of a page's cost) is counted
  // again only when the data has changed (read-cache.ts); paging and re-sorting reuse it.
  const counts = new ReadCache<number>(handle.sqlite, { max: 500, othersMaxAgeMs: 30_000 });
  const countMemo = (key: string, count: () => number) => counts.get(key, count);
  // The filters' select options (every committee, branch and enterprise in scope), likewise.
  const filterOptions = new ReadCache<ReturnType<typeof memberFilterOptions>>(handle.sqlite, { max: 500, othersMaxAgeMs: 30_000 });
  // Every organization (scope, committee filter, row labels): hundreds of rows read and mapped on each
  // page (~1 ms), likewise kept until the data changes. Another process's change counts at once:
  // the scope must never lag behind a moved organization.
  const orgsCache = new ReadCache<ReturnType<typeof loadOrgs>>(handle.sqlite, { max: 1, othersMaxAgeMs: 0 });
  /** Select options every member form needs; `current` keeps the stored org/enterprise selectable. */
  const formLocals = (req: Request, current: { orgId?: number | null; enterpriseId?: number | null; relationStatus?: string | null } = {}) => ({
    ...members.memberFormOptions(db, actorOf(req), current),
    ...codeOptions,
    // Transfers and mobile spells set the other statuses; a member already in one keeps it here.
    relationOptions: Object.entries(RELATION_STATUS.label).filter(
      ([k]) => (members.FORM_RELATION_STATUSES as string[]).includes(k) || k === current.relationStatus,
    ),
  });
  /** On a 422 the form re-renders with what was typed; keep the typed org/enterprise selectable. */
  const typed = (res: Response) => {
    const v = (res.locals.values ?? {}) as Record<string, unknown>;
    return { orgId: Number(v.orgId) || null, enterpriseId: Number(v.enterpriseId) || null, relationStatus: typeof v.relationStatus === "string" ? v.relationStatus : null };
  };

  const h = {
    list(req: Request, res: Response) {
      const q = req.valid.query as MemberListQuery;
      const filters = filtersOf(q);
      // A whole ID number or phone typed into the list's search box must not stay in the URL.
      if (classifySearch(q.q).kind === "personal") {
        flash(req, "info", "完整的身份证号或手机号请使用下方的“按号码查找”，以免号码出现在网址和浏览记录中。");
        res.redirect(303, `/members${viewHelpers.qs({ ...filters, q: null })}`);
        return;
      }
      const actor = actorOf(req);
      const result = listMembers(db, actor, q, todayIso(), { countMemo, orgs: orgsCache.get("orgs", () => loadOrgs(db)) });
      res.render("members/index", { title: "党员", result, filters, query: q, page: q.page ?? 1, options: filterOptions.get(JSON.stringify([actor.role, actor.orgId, actor.orgPath]), () => memberFilterOptions(db, actor)), scripts: ["members.js"] });
    },
    search(req: Request, res: Response) {
      const found = members.searchByNumber(db, actorOf(req), req.body.number, todayIso());
      if (found.kind === "member") {
        res.redirect(303, `/members/${found.id}`);
        return;
      }
      res.render("members/search", { title: "按号码查找党员", found });
    },
    detail(req: Request, res: Response) {
      const detail = members.memberDetail(db, actorOf(req), req.valid.params.id, todayIso());
      res.render("members/show", { title: detail.member.name, ...detail });
    },
    unmask(req: Request, res: Response) {
      const detail = members.unmaskMember(db, actorOf(req), req.valid.params.id, todayIso(), { ip: req.ip ?? null });
      res.render("members/show", { title: detail.member.name, ...detail });
    },
    newForm(req: Request, res: Response) {
      const actor = actorOf(req);
      const org = typeof req.query.org === "string" ? req.query.org : actor.role === "secretary" ? String(actor.orgId) : "";
      res.render("members/form", { title: "登记党员", member: null, values: { orgId: org, ethnicity: "01", category: "full", relationStatus: "local" }, ...formLocals(req) });
    },
    create(req: Request, res: Response) {
      const m = members.createMember(db, actorOf(req), req.body, todayIso());
      flash(req, "success", `已登记党员“${m.name}”。`);
      res.redirect(303, `/members/${m.id}`);
    },
    editForm(req: Request, res: Response) {
      const actor = actorOf(req);
      const values = members.memberFormValues(db, actor, req.valid.params.id);
      const current = { orgId: Number(values.orgId), enterpriseId: Number(values.enterpriseId) || null, relationStatus: values.relationStatus ?? null };
      res.render("members/form", { title: `修改 ${values.name}`, member: { id: req.valid.params.id }, values, ...formLocals(req, current) });
    },
    update(req: Request, res: Response) {
      const { member, changed } = members.updateMember(db, actorOf(req), req.valid.params.id, req.body, todayIso());
      flash(req, changed ? "success" : "info", changed ? "已保存。" : "没有需要保存的修改。");
      res.redirect(303, `/members/${member.id}`);
    },
    /** Scope before the body: outside the scope a POST is 404 whatever it carries. */
    inScope(req: Request, _res: Response, next: NextFunction) {
      members.getMember(db, actorOf(req), req.valid.params.id);
      next();
    },
  };

  const newFormFor = (req: Request, res: Response) => ({ title: "登记党员", member: null, ...formLocals(req, typed(res)) });
  const editFormFor = (req: Request, res: Response) => ({ title: "修改党员信息", member: { id: req.params.id }, ...formLocals(req, typed(res)) });
  const r = Router();

  // -- Member list and search -------------------------------------------------------------------
  r.get("/members", requireAuth, validate({ query: memberListQuerySchema }), h.list);
  r.post("/members/search", requireAuth, form("members/search", () => ({ title: "按号码查找党员", found: null })), validate({ body: memberSearchSchema }), h.search);

  // -- New member -------------------------------------------------------------------------------
  r.get("/members/new", writers, h.newForm);
  r.post("/members", writers, form("members/form", newFormFor), validate({ body: memberCreateSchema }), h.create);

  // -- One member (never deleted: there is no delete route) -------------------------------------
  r.get("/members/:id", requireAuth, validate({ params }), h.detail);
  r.post("/members/:id/unmask", requireAuth, validate({ params }), h.unmask);
  r.get("/members/:id/edit", writers, validate({ params }), h.editForm);
  r.post("/members/:id", writers, validate({ params }), h.inScope, form("members/form", editFormFor), validate({ body: memberUpdateSchema }), h.update);

  return r;
}
