import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { createPasswordCheckLimiter } from "../auth/sign-in-limiter.js";
import { publicOrigin } from "../config.js";
import type { Deps } from "../deps.js";
import { ROLE } from "../domain/codes.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { adminOnly, adminsAndSupervisors, signedIn } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { apiKeyInputSchema } from "../schemas/finds.schema.js";
import { auditQuerySchema, ownPasswordSchema, passwordResetSchema, userCreateSchema, userUpdateSchema } from "../schemas/users.schema.js";
import { industryInputSchema } from "../schemas/industries.schema.js";
import * as keys from "../services/admin/api-keys.js";
import * as industryList from "../services/admin/industries.js";
import { listAudit } from "../services/admin/audit.js";
import * as users from "../services/admin/users.js";
import { committeeOptions } from "../services/finds/scope.js";
import { orgOptions } from "../services/orgs/orgs.service.js";

const byId = validate({ params: z.object({ id: idParam }) });

export function adminRouter(deps: Deps) {
  const h = adminHandlers(deps);
  const onNewUser = form("admin/user-form", h.newUserLocals);
  const onEditUser = form("admin/user-form", h.editUserLocals);
  const onKeys = form("finds/api-keys", h.keysLocals);
  const onIndustries = form("admin/industries", h.industriesLocals);
  const r = Router();

  // -- Accounts (administrators) ------------------------------------------------------------------
  r.get("/admin/users", adminOnly, h.users);
  r.get("/admin/users/new", adminOnly, h.newUser);
  r.post("/admin/users", adminOnly, onNewUser, validate({ body: userCreateSchema }), h.createUser);
  r.get("/admin/users/:id/edit", adminOnly, byId, h.editUser);
  r.post("/admin/users/:id", adminOnly, byId, onEditUser, validate({ body: userUpdateSchema }), h.updateUser);
  r.post("/admin/users/:id/password", adminOnly, byId, onEditUser, validate({ body: passwordResetSchema }), h.resetPassword);
  r.post("/admin/users/:id/disable", adminOnly, byId, h.disableUser);
  r.post("/admin/users/:id/enable", adminOnly, byId, h.enableUser);

  // -- Platform API keys (administrators) ---------------------------------------------------------
  r.get("/admin/api-keys", adminOnly, h.keys);
  r.post("/admin/api-keys", adminOnly, onKeys, validate({ body: apiKeyInputSchema }), h.issueKey);
  r.post("/admin/api-keys/:id/revoke", adminOnly, byId, h.revokeKey);

  // -- The industries code list (administrators) ---------------------------------------------------
  r.get("/admin/industries", adminOnly, h.industries);
  r.post("/admin/industries", adminOnly, onIndustries, validate({ body: industryInputSchema }), h.addIndustry);

  // -- Audit log (administrators and supervisors) ---------------------------------------------------
  r.get("/audit", adminsAndSupervisors, validate({ query: auditQuerySchema }), h.audit);

  // -- One's own account --------------------------------------------------------------------------
  r.get("/account/password", signedIn, h.passwordForm);
  r.post("/account/password", signedIn, form("admin/password"), validate({ body: ownPasswordSchema }), h.changePassword);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function adminHandlers({ db, handle, config }: Deps) {
  const passwordChecks = createPasswordCheckLimiter(handle);
  /** The address shown with a new key: the configured public one, never the request's Host header. */
  const origin = publicOrigin(config);
  const formLocals = (req: Request) => ({ orgs: orgOptions(db, actorOf(req)), roleOptions: Object.entries(ROLE.label) });
  const keysLocals = (req: Request) => {
    const actor = actorOf(req);
    return { title: "平台 API 密钥", keys: keys.listApiKeys(db, actor), committees: committeeOptions(db, actor) };
  };
  const industriesLocals = () => ({ title: "行业代码", industries: industryList.listIndustries(db) });
  const setStatus = (status: "active" | "disabled") => (req: Request, res: Response) => {
    users.getUser(db, actorOf(req), req.valid.params.id);
    users.setUserStatus(db, actorOf(req), req.valid.params.id, status);
    flash(req, "success", status === "disabled" ? "账号已停用，其登录会话已立即结束。" : "账号已启用。");
    res.redirect(303, "/admin/users");
  };

  return {
    // -- Locals of the forms' re-renders after a 422 ---------------------------------------------
    newUserLocals: (req: Request) => ({ account: null, title: "新建账号", ...formLocals(req) }),
    editUserLocals: (req: Request) => ({ account: { id: req.params.id, username: "" }, title: "修改账号", ...formLocals(req) }),
    keysLocals,
    industriesLocals,

    // -- Industries ------------------------------------------------------------------------------
    industries(_req: Request, res: Response) {
      res.render("admin/industries", industriesLocals());
    },
    addIndustry(req: Request, res: Response) {
      const row = industryList.addIndustry(db, actorOf(req), req.body, req.ip ?? null);
      flash(req, "success", `已添加行业“${row.name}”。`);
      res.redirect(303, "/admin/industries");
    },

    // -- Accounts --------------------------------------------------------------------------------
    users(req: Request, res: Response) {
      res.render("admin/users", { title: "账号管理", users: users.listUsers(db, actorOf(req)) });
    },
    newUser(req: Request, res: Response) {
      res.render("admin/user-form", { title: "新建账号", account: null, ...formLocals(req) });
    },
    async createUser(req: Request, res: Response) {
      const u = await users.createUser(db, actorOf(req), req.body);
      flash(req, "success", `已创建账号 ${u.username}。请通过安全渠道把初始密码告知本人。`);
      res.redirect(303, "/admin/users");
    },
    editUser(req: Request, res: Response) {
      const account = users.getUser(db, actorOf(req), req.valid.params.id);
      res.render("admin/user-form", { title: `修改账号 ${account.username}`, account, values: account, ...formLocals(req) });
    },
    updateUser(req: Request, res: Response) {
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
    disableUser: setStatus("disabled"),
    enableUser: setStatus("active"),

    // -- Platform API keys -----------------------------------------------------------------------
    keys(req: Request, res: Response) {
      res.render("finds/api-keys", keysLocals(req));
    },
    issueKey(req: Request, res: Response) {
      const { key, row } = keys.issueApiKey(db, actorOf(req), req.body);
      // Rendered, never redirected: the key must not pass through the session (flash) or a URL.
      res.status(201).render("finds/api-key-created", { title: "API 密钥已生成", key, row, origin });
    },
    revokeKey(req: Request, res: Response) {
      keys.revokeApiKey(db, actorOf(req), req.valid.params.id, new Date());
      flash(req, "success", "API 密钥已吊销，使用它的请求将被拒绝。");
      res.redirect(303, "/admin/api-keys");
    },

    // -- Audit log and one's own account ---------------------------------------------------------
    audit(req: Request, res: Response) {
      const q = req.valid.query;
      const { rows, hasMore } = listAudit(db, q, q.page);
      const filters = { action: q.action, username: q.username, entity: q.entity, from: q.from, to: q.to };
      res.render("admin/audit", { title: "审计日志", rows, hasMore, page: q.page, filters });
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
}
