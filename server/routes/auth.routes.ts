import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import { createSignInLimiter } from "../auth/sign-in-limiter.js";
import type { Deps } from "../deps.js";
import { validate } from "../middleware/validate.js";
import { recordAudit } from "../services/admin/audit.js";
import { SIGN_IN_REFUSED } from "../services/admin/users.js";

const loginBody = z.object({
  username: z.string().max(64).default(""),
  password: z.string().max(200).default(""),
  _csrf: z.string().optional(),
});

export function authRouter(deps: Deps) {
  const h = authHandlers(deps);
  const r = Router();

  // -- Sign in / out (open to everyone) -----------------------------------------------------------
  r.get("/login", h.loginForm);
  r.post("/login", validate({ body: loginBody }), h.login);
  r.post("/logout", h.logout);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

/** Only same-site paths are followed after sign-in (no open redirect). */
function safeReturnTo(p: unknown): string {
  return typeof p === "string" && p.startsWith("/") && !p.startsWith("//") && !p.startsWith("/\\") ? p : "/";
}

function authHandlers({ db, handle, passport }: Deps) {
  const limiter = createSignInLimiter(handle);

  return {
    loginForm(req: Request, res: Response) {
      if (req.user) return res.redirect(303, "/");
      res.render("auth/login", { message: null, username: "" });
    },
    async login(req: Request, res: Response, next: NextFunction) {
      const ip = req.ip ?? "unknown";
      const { username } = req.body;
      // passport-local would refuse these itself, in English.
      if (!username || !req.body.password) {
        res.status(401).render("auth/login", { message: "请输入用户名和密码。", username });
        return;
      }
      // The same refusal whether the name is an account's or not: the counters do not know either.
      const wait = await limiter.take(ip, username);
      if (wait !== null) {
        const message = `登录尝试过于频繁，请 ${Math.ceil(wait / 60)} 分钟后再试。`;
        res.status(429).set("Retry-After", String(wait)).render("auth/login", { message, username });
        return;
      }
      const returnTo = safeReturnTo(req.session.returnTo);
      passport.authenticate("local", (err: unknown, user: Express.User | false, info?: { message?: string }) => {
        if (err) return next(err);
        if (!user) {
          res.status(401).render("auth/login", { message: info?.message ?? SIGN_IN_REFUSED, username });
          return;
        }
        limiter.succeeded(ip, username).then(() => {
          // passport 0.7 regenerates the session here: a fixed session id cannot be carried over.
          req.login(user, (loginErr) => {
            if (loginErr) return next(loginErr);
            res.redirect(303, returnTo);
          });
        }, next);
      })(req, res, next);
    },
    logout(req: Request, res: Response, next: NextFunction) {
      const user = req.user;
      req.logout((err) => {
        if (err) return next(err);
        if (user) recordAudit(db, user, { action: "logout", entity: "user", entityId: user.id, ip: req.ip ?? null });
        req.session.destroy(() => {
          res.clearCookie("pc.sid");
          res.redirect(303, "/login");
        });
      });
    },
  };
}
