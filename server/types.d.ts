import type { Actor } from "./policy/actor.js";

declare global {
  namespace Express {
    // passport's req.user is our Actor
    interface User extends Actor {}
    interface Request {
      /** Parsed and validated query/params (Express 5's req.query is read-only). */
      valid: { query?: any; params?: any };
    }
  }
}

declare module "express-session" {
  interface SessionData {
    flash?: { type: "success" | "error" | "info"; message: string }[];
    returnTo?: string;
  }
}
