import { Router } from "express";
import type { Deps } from "../deps.js";

export function adminRouter(_deps: Deps) {
  const r = Router();
  return r;
}
