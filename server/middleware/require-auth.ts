import type { NextFunction, Request, Response } from "express";
import type { Role } from "../domain/codes.js";
import { AppError } from "../errors.js";

/** The longest page address remembered for after the sign-in. */
export const RETURN_TO_MAX = 2048;

/** Signed-in users only; pages redirect to /login, JSON callers get 401. */
export function requireAuth(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  if (req.accepts(["html", "json"]) === "json" && !req.accepts("html")) {
    throw new AppError(401, "请先登录。", { code: "unauthorized" });
  }
  // A visitor's session is kept in memory (auth/session-store.ts): a longer address is not kept.
  if (req.method === "GET" && req.session && req.originalUrl.length <= RETURN_TO_MAX) req.session.returnTo = req.originalUrl;
  res.redirect(303, "/login");
}

/** Signed-in users with one of the roles. */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) return requireAuth(req, res, next);
    if (!roles.includes(req.user.role)) throw AppError.forbidden();
    next();
  };
}

/** The signed-in actor; only call behind requireAuth. */
export function actorOf(req: Request) {
  if (!req.user) throw new AppError(401, "请先登录。");
  return req.user;
}
