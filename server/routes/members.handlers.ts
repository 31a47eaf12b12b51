import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../deps.js";
import {
  DISCOVERY_CHANNEL,
  EDUCATION,
  ETHNICITY,
  GENDER,
  LOST_CONTACT_REASON,
  MEMBER_CATEGORY,
  OCCUPATION,
  RELATION_STATUS,
} from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import type { Actor } from "../policy/actor.js";
import type { MemberListQuery } from "../schemas/members.schema.js";
import { classifySearch } from "../services/members/list.js";
import { MemberListThread } from "../services/members/list-thread.js";
import * as members from "../services/members/members.service.js";
import * as contact from "../services/members/contact.js";
import * as mobile from "../services/members/mobile.js";
import { memberDuesGlance } from "../services/dues/dues.service.js";
import { memberParticipation } from "../services/meetings/participation.js";
import { viewHelpers } from "../views/helpers.js";
import { DEFAULT_PAGE_SIZE } from "../domain/list-rules.js";

// The members router's handlers (members.routes.ts holds the table).

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
    standing: q.standing,
    left: q.left ? "1" : null,
    sort: q.sort === "name" ? null : q.sort,
    dir: q.dir === "asc" ? null : q.dir,
    size: q.size === DEFAULT_PAGE_SIZE ? null : q.size,
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

type Current = { orgId?: number | null; enterpriseId?: number | null; relationStatus?: string | null };

export function memberHandlers({ db, handle, caches, logger }: Deps) {
  // A page's queries on a thread of their own (members/list-thread.ts), under the server's caches'
  // versions; made at the first list, so that a router built to read its route table needs none.
  let listing: MemberListThread | undefined;
  /** Select options every member form needs; `current` keeps the stored org/enterprise selectable. */
  const formLocals = (req: Request, current: Current = {}) => ({
    ...members.memberFormOptions(db, actorOf(req), current),
    ...codeOptions,
    // Transfers and mobile spells set the other statuses; a member already in one keeps it here.
    relationOptions: Object.entries(RELATION_STATUS.label).filter(
      ([k]) => (members.FORM_RELATION_STATUSES as string[]).includes(k) || k === current.relationStatus,
    ),
  });
  /** On a 422 the form re-renders with what was typed; keep the typed org/enterprise selectable. */
  const typed = (res: Response): Current => {
    const v = (res.locals.values ?? {}) as Record<string, unknown>;
    return {
      orgId: Number(v.orgId) || null,
      enterpriseId: Number(v.enterpriseId) || null,
      relationStatus: typeof v.relationStatus === "string" ? v.relationStatus : null,
    };
  };
  /** The member's status page: mobile spells, contact and leaving. */
  const statusLocals = (req: Request) => {
    const status = mobile.memberStatus(db, actorOf(req), req.valid.params.id);
    // Which form was sent: only that one shows the errors and what was typed.
    const activeForm = req.method === "POST" ? req.path.split("/").slice(3).join("/") : "";
    const lostReasons = Object.entries(LOST_CONTACT_REASON.label);
    return { title: `${status.member.name} · 流动、失联与离开`, ...status, activeForm, today: todayIso(), lostReasons };
  };
  /** Runs a member-status change, then back to the member's status page. */
  const statusChange =
    <I>(message: string, run: (db: Deps["db"], actor: Actor, memberId: number, input: I) => unknown) =>
    (req: Request, res: Response) => {
      run(db, actorOf(req), req.valid.params.id as number, req.body as I);
      flash(req, "success", message);
      res.redirect(303, `/members/${req.valid.params.id}/mobile`);
    };

  return {
    // -- Locals of the forms' re-renders after a 422 ---------------------------------------------
    searchLocals: () => ({ title: "按号码查找党员", found: null }),
    newFormLocals: (req: Request, res: Response) => ({ title: "登记党员", member: null, ...formLocals(req, typed(res)) }),
    editFormLocals: (req: Request, res: Response) => ({
      title: "修改党员信息",
      member: { id: req.params.id },
      ...formLocals(req, typed(res)),
    }),
    statusLocals,

    // -- List and search ---------------------------------------------------------------------------
    async list(req: Request, res: Response) {
      const q = req.valid.query as MemberListQuery;
      const filters = filtersOf(q);
      // A whole ID number or phone typed into the list's search box must not stay in the URL.
      if (classifySearch(q.q).kind === "personal") {
        flash(req, "info", "完整的身份证号或手机号请使用下方的“按号码查找”，以免号码出现在网址和浏览记录中。");
        res.redirect(303, `/members${viewHelpers.qs({ ...filters, q: null })}`);
        return;
      }
      listing ??= new MemberListThread(
        handle,
        { memberCounts: caches.memberCounts, memberFilters: caches.memberFilters, orgs: caches.orgs },
        logger,
      );
      const { result, options } = await listing.page({ actor: actorOf(req), q, today: todayIso() });
      res.render("members/index", { title: "党员", result, filters, query: q, page: result.page, options, scripts: ["members.js"] });
    },
    search(req: Request, res: Response) {
      const found = members.searchByNumber(db, actorOf(req), req.body.number, todayIso());
      if (found.kind === "member") {
        res.redirect(303, `/members/${found.id}`);
        return;
      }
      res.render("members/search", { title: "按号码查找党员", found });
    },

    // -- One member --------------------------------------------------------------------------------
    detail(req: Request, res: Response) {
      const detail = members.memberDetail(db, actorOf(req), req.valid.params.id, todayIso());
      res.render("members/show", {
        title: detail.member.name,
        ...detail,
        participation: memberParticipation(db, actorOf(req), detail.member.id),
        duesGlance: memberDuesGlance(db, detail.member.id),
      });
    },
    unmask(req: Request, res: Response) {
      const detail = members.unmaskMember(db, actorOf(req), req.valid.params.id, todayIso(), { ip: req.ip ?? null });
      res.render("members/show", {
        title: detail.member.name,
        ...detail,
        participation: memberParticipation(db, actorOf(req), detail.member.id),
        duesGlance: memberDuesGlance(db, detail.member.id),
      });
    },
    newForm(req: Request, res: Response) {
      const actor = actorOf(req);
      const org = typeof req.query.org === "string" ? req.query.org : actor.role === "secretary" ? String(actor.orgId) : "";
      const values = { orgId: org, ethnicity: "01", category: "full", relationStatus: "local" };
      res.render("members/form", { title: "登记党员", member: null, values, ...formLocals(req) });
    },
    create(req: Request, res: Response) {
      const m = members.createMember(db, actorOf(req), req.body, todayIso());
      flash(req, "success", `已登记党员“${m.name}”。`);
      res.redirect(303, `/members/${m.id}`);
    },
    editForm(req: Request, res: Response) {
      const id = req.valid.params.id;
      const values = members.memberFormValues(db, actorOf(req), id);
      const current = {
        orgId: Number(values.orgId),
        enterpriseId: Number(values.enterpriseId) || null,
        relationStatus: values.relationStatus ?? null,
      };
      res.render("members/form", { title: `修改 ${values.name}`, member: { id }, values, ...formLocals(req, current) });
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

    // -- Mobile spells, contact and leaving ----------------------------------------------------------
    status(req: Request, res: Response) {
      res.render("transfers/mobile", { ...statusLocals(req), values: {} });
    },
    mobileIn: statusChange("已登记为流入党员。", mobile.registerMobileIn),
    mobileOut: statusChange("已登记为流出党员。", mobile.registerMobileOut),
    endSpell: statusChange("流动登记已结束。", mobile.endMobileSpell),
    renewCertificate: statusChange("活动证有效期已更新。", mobile.renewCertificate),
    lostContact: statusChange("已标记为失联。", contact.markLostContact),
    restoreContact: statusChange("已恢复联系。", contact.restoreContact),
  };
}
