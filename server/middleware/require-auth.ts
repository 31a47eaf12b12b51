import type { NextFunction, Request, Response } from "express";
import type { Role } from "../domain/codes.js";
import { AppError } from "../errors.js";

/** Signed-in users only; pages redirect to /login, JSON callers get 401. */
export function requireAuth(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  if (req.accepts(["html", "json"]) === "json" && !req.accepts("html")) {
    throw new AppError(401, "请先登录。", { code: "unauthorized" });
  }
  if (req.method === "GET" && req.session) req.session.returnTo = req.originalUrl;
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
