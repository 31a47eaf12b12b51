import { Router } from "express";
import type { Deps } from "../deps.js";

export function enterprisesRouter(_deps: Deps) {
  const r = Router();
  return r;
}
