import type { Request } from "express";

export function flash(req: Request, type: "success" | "error" | "info", message: string) {
  req.session.flash ??= [];
  req.session.flash.push({ type, message });
}
