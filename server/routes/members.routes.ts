import { Router } from "express";
import type { Deps } from "../deps.js";

export function membersRouter(_deps: Deps) {
  const r = Router();
  return r;
}
