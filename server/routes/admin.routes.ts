import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { createPasswordCheckLimiter } from "../auth/sign-in-limiter.js";
import type { Deps } from "../deps.js";
import { ROLE } from "../domain/codes.js";
import { flash } from "../middleware/flash.js";
import { actorOf, requireAuth, requireRole } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { idParam } from "../schemas/fields.js";
import { auditQuerySchema, ownPasswordSchema, passwordResetSchema, userCreateSchema, userUpdateSchema } from "../schemas/users.schema.js";
import { listAudit } from "../services/admin/audit.js";
import { orgOptions } from "../services/orgs/orgs.service.js";
import * as users from "../services/admin/users.js";

const params = z.object({ id: idParam });

export function adminRouter({ db, handle }: Deps) {
  const passwordChecks = createPasswordCheckLimiter(handle);
  const formLocals = (req: Request) => ({ orgs: orgOptions(db, actorOf(req)), roleOptions: Object.entries(ROLE.label) });

  const h = {
    list(req: Request, res: Response) {
      res.render("admin/users", { title: "账号管理", users: users.listUsers(db, actorOf(req)) });
    },
    newForm(req: Request, res: Response) {
      res.render("admin/user-form", { title: "新建账号", account: null, ...formLocals(req) });
    },
    async create(req: Request, res: Response) {
      const u = await users.createUser(db, actorOf(req), req.body);
      flash(req, "success", `已创建账号 ${u.username}。请通过安全渠道把初始密码告知本人。`);
      res.redirect(303, "/admin/users");
    },
    editForm(req: Request, res: Response) {
      const account = users.getUser(db, actorOf(req), req.valid.params.id);
      res.render("admin/user-form", { title: `修改账号 ${account.username}`, account, values: account, ...formLocals(req) });
    },
    update(req: Request, res: Response) {
      users.updateUser(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已保存。角色或所属组织变更后，该账号需重新登录。");
      res.redirect(303, "/admin/users");
    },
    async resetPassword(req: Request, res: Response) {
      users.getUser(db, actorOf(req), req.valid.params.id);
      await users.setPassword(db, actorOf(req), req.valid.params.id, req.body.password);
      flash(req, "success", "密码已重置，该账号的登录会话已全部结束。");
      res.redirect(303, `/admin/users/${req.valid.params.id}/edit`);
    },
    setStatus(status: "active" | "disabled") {
      return (req: Request, res: Response) => {
        users.getUser(db, actorOf(req), req.valid.params.id);
        users.setUserStatus(db, actorOf(req), req.valid.params.id, status);
        flash(req, "success", status === "disabled" ? "账号已停用，其登录会话已立即结束。" : "账号已启用。");
        res.redirect(303, "/admin/users");
      };
    },
    audit(req: Request, res: Response) {
      const q = req.valid.query;
      const { rows, hasMore } = listAudit(db, q, q.page);
      res.render("admin/audit", { title: "审计日志", rows, hasMore, page: q.page, filters: { action: q.action, username: q.username, entity: q.entity, from: q.from, to: q.to } });
    },
    passwordForm(_req: Request, res: Response) {
      res.render("admin/password", { title: "修改密码" });
    },
    async changePassword(req: Request, res: Response) {
      await users.changeOwnPassword(db, passwordChecks, actorOf(req), req.body.current, req.body.password);
      // The new password ended every session of the account, this one included.
      req.logout(() => {
        res.redirect(303, "/login");
      });
    },
  };

  const editLocals = (req: Request) => ({ account: { id: req.params.id, username: "" }, title: "修改账号", ...formLocals(req) });
  const r = Router();

  // -- Accounts (administrators) ------------------------------------------------------------------
  r.get("/admin/users", requireRole("admin"), h.list);
  r.get("/admin/users/new", requireRole("admin"), h.newForm);
  r.post("/admin/users", requireRole("admin"), form("admin/user-form", (req) => ({ account: null, title: "新建账号", ...formLocals(req) })), validate({ body: userCreateSchema }), h.create);
  r.get("/admin/users/:id/edit", requireRole("admin"), validate({ params }), h.editForm);
  r.post("/admin/users/:id", requireRole("admin"), validate({ params }), form("admin/user-form", editLocals), validate({ body: userUpdateSchema }), h.update);
  r.post("/admin/users/:id/password", requireRole("admin"), validate({ params }), form("admin/user-form", editLocals), validate({ body: passwordResetSchema }), h.resetPassword);
  r.post("/admin/users/:id/disable", requireRole("admin"), validate({ params }), h.setStatus("disabled"));
  r.post("/admin/users/:id/enable", requireRole("admin"), validate({ params }), h.setStatus("active"));

  // -- Audit log (administrators and supervisors) ---------------------------------------------------
  r.get("/audit", requireRole("admin", "supervisor"), validate({ query: auditQuerySchema }), h.audit);

  // -- One's own account --------------------------------------------------------------------------
  r.get("/account/password", requireAuth, h.passwordForm);
  r.post("/account/password", requireAuth, form("admin/password"), validate({ body: ownPasswordSchema }), h.changePassword);

  return r;
}
