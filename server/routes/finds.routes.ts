import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import { publicOrigin } from "../config.js";
import type { Deps } from "../deps.js";
import { addDays, todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAdminsAndSupervisors, clerksAndAdmins } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { fieldVisitSchema, linkInputSchema, selfReportSchema, tokenParam } from "../schemas/finds.schema.js";
import { recordFieldVisit } from "../services/finds/field-visit.js";
import * as links from "../services/finds/links.js";
import { committeeOptions, defaultCommitteeId, enterpriseOptions } from "../services/finds/scope.js";
import { createSelfReportLimiter, submitSelfReport } from "../services/finds/self-report.js";

const byId = validate({ params: z.object({ id: idParam }) });
/** New links are valid for this long unless the clerk chooses otherwise. */
const DEFAULT_LINK_DAYS = 90;

export function findsRouter(deps: Deps) {
  const h = findsHandlers(deps);
  /** Supervisors may read the links; writing is for clerks and administrators. */
  const readers = clerksAdminsAndSupervisors;
  const r = Router();

  // -- Self-report links (clerks) -----------------------------------------------------------------
  r.get("/finds", readers, h.home);
  r.get("/finds/links", readers, h.links);
  r.post("/finds/links", clerksAndAdmins, form("finds/links", h.linksLocals), validate({ body: linkInputSchema }), h.createLink);
  r.get("/finds/links/:id", readers, byId, h.link);
  r.get("/finds/links/:id/poster", readers, byId, h.poster);
  r.get("/finds/links/:id/qr.svg", readers, byId, h.qrSvg);
  r.get("/finds/links/:id/qr.png", readers, byId, h.qrPng);
  r.post("/finds/links/:id/close", clerksAndAdmins, byId, h.close);

  // -- Field visits (clerks, from a phone) --------------------------------------------------------
  r.get("/finds/visit", clerksAndAdmins, h.visitForm);
  r.post("/finds/visit", clerksAndAdmins, form("finds/visit", h.visitLocals), validate({ body: fieldVisitSchema }), h.visit);

  // -- Public self-report form (no account; CSRF token in the anonymous session) ------------------
  r.get("/r/:token", h.publicForm);
  r.post("/r/:token", h.publicGate, form("finds/public-form", h.publicLocals), validate({ body: selfReportSchema }), h.publicSubmit);
  r.get("/r/:token/thanks", h.thanks);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function findsHandlers({ db, handle, config }: Deps) {
  /** The address a link's QR code and poster carry: the configured public one, never the request's Host header. */
  const origin = publicOrigin(config);
  const publicUrl = (token: string) => `${origin}${links.publicPath(token)}`;
  const limiter = createSelfReportLimiter(handle);
  const now = () => new Date();

  const linksLocals = (req: Request) => {
    const actor = actorOf(req);
    return {
      title: "亮身份登记链接",
      links: links.listLinks(db, actor, now()),
      committees: committeeOptions(db, actor),
      enterprises: enterpriseOptions(db, actor),
      maxDays: links.MAX_LINK_DAYS,
    };
  };
  const visitLocals = (req: Request) => {
    const actor = actorOf(req);
    return { title: "走访登记", committees: committeeOptions(db, actor), enterprises: enterpriseOptions(db, actor), today: todayIso() };
  };
  const publicLocals = (_req: Request, res: Response) => {
    const link = res.locals.link as links.SelfReportLink;
    return { title: "党员亮身份登记", link };
  };
  const linkOf = (req: Request) => links.getLink(db, actorOf(req), req.valid.params.id, now());

  /** The public pages say the same for unknown, expired and closed links: nothing about which. */
  const unavailable = (res: Response) =>
    res.status(404).render("finds/public-message", {
      title: "登记入口不可用",
      heading: "该登记入口已失效",
      message: "二维码或链接已过期、已关闭或不正确。请联系所在站点或行业党委工作人员获取新的二维码。",
    });

  return {
    linksLocals,
    visitLocals,
    publicLocals,

    // -- Self-report links ------------------------------------------------------------------------
    home(_req: Request, res: Response) {
      res.redirect(303, "/finds/links");
    },
    links(req: Request, res: Response) {
      const values = { committeeId: defaultCommitteeId(db, actorOf(req)) ?? "", expiresOn: addDays(todayIso(), DEFAULT_LINK_DAYS) };
      res.render("finds/links", { ...linksLocals(req), values });
    },
    createLink(req: Request, res: Response) {
      const link = links.createLink(db, actorOf(req), req.body, todayIso());
      flash(req, "success", `已新建登记链接“${link.label}”，可打印海报张贴。`);
      res.redirect(303, `/finds/links/${link.id}`);
    },
    link(req: Request, res: Response) {
      const link = linkOf(req);
      const leads = links.leadsOfLink(db, actorOf(req), link.id);
      res.render("finds/link", { title: link.label, link, url: publicUrl(link.token), originConfigured: !!config.publicBaseUrl, leads });
    },
    poster(req: Request, res: Response) {
      const link = linkOf(req);
      res.render("finds/poster", { title: `海报 · ${link.label}`, link, url: publicUrl(link.token), scripts: ["finds.js"] });
    },
    async qrSvg(req: Request, res: Response) {
      const link = linkOf(req);
      res.type("image/svg+xml").send(await links.qrSvg(publicUrl(link.token)));
    },
    async qrPng(req: Request, res: Response) {
      const link = linkOf(req);
      if (req.query.download === "1") res.attachment(`qr-${link.id}.png`);
      res.type("image/png").send(await links.qrPng(publicUrl(link.token)));
    },
    close(req: Request, res: Response) {
      const link = links.closeLink(db, actorOf(req), req.valid.params.id, now());
      flash(req, "success", `登记链接“${link.label}”已关闭，扫码将提示入口已失效。`);
      res.redirect(303, `/finds/links/${link.id}`);
    },

    // -- Field visits -----------------------------------------------------------------------------
    visitForm(req: Request, res: Response) {
      const values = { committeeId: defaultCommitteeId(db, actorOf(req)) ?? "", visitedOn: todayIso(), category: "full" };
      res.render("finds/visit", { ...visitLocals(req), values });
    },
    visit(req: Request, res: Response) {
      const r = recordFieldVisit(db, actorOf(req), req.body, todayIso());
      flash(req, r.verified ? "success" : "info", r.message);
      res.redirect(303, "/finds/visit");
    },

    // -- The public self-report form --------------------------------------------------------------
    publicForm(req: Request, res: Response) {
      const token = tokenParam.safeParse(req.params.token);
      const link = token.success ? links.activeLinkByToken(db, token.data, now()) : null;
      if (!link) return unavailable(res);
      res.render("finds/public-form", { title: "党员亮身份登记", link });
    },
    /** Rate limits first (per IP even for dead links), then the link; the form's checks come after. */
    async publicGate(req: Request, res: Response, next: NextFunction) {
      const token = tokenParam.safeParse(req.params.token);
      const link = token.success ? links.activeLinkByToken(db, token.data, now()) : null;
      const wait = await limiter.consume(req.ip ?? "unknown", link?.id ?? null);
      if (wait !== null) {
        res.set("Retry-After", String(wait));
        return res.status(429).render("finds/public-message", {
          title: "提交过于频繁",
          heading: "提交过于频繁",
          message: `请稍候 ${Math.ceil(wait / 60)} 分钟后再提交。如需帮助，请联系所在站点或行业党委工作人员。`,
        });
      }
      if (!link) return unavailable(res);
      res.locals.link = link;
      next();
    },
    publicSubmit(req: Request, res: Response) {
      const link = res.locals.link as links.SelfReportLink;
      // Whatever happened (new lead, merged, already a member), the worker sees the same page.
      submitSelfReport(handle, link, req.body, { ip: req.ip ?? null });
      res.redirect(303, `${links.publicPath(link.token)}/thanks`);
    },
    thanks(_req: Request, res: Response) {
      res.render("finds/public-message", {
        title: "登记成功",
        heading: "提交成功，谢谢！",
        message:
          "您的信息已交给党组织。工作人员核实后会与您联系，请保持手机畅通。本页面不会显示您填写的任何信息；如需更正，可重新扫码提交。",
        ok: true,
      });
    },
  };
}
