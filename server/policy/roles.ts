import { requireAuth, requireRole } from "../middleware/require-auth.js";

// Who may reach which routes, named once: every router takes its guards from here, none lists roles
// itself. Scope (which organizations an account sees) is the services' business, after these.

/** Every signed-in account. */
export const signedIn = requireAuth;

/** Accounts that change data within their scope: everyone but supervisors, who read and export (canWrite). */
export const writers = requireRole("admin", "clerk", "secretary");

/** Industry-committee clerks and administrators: enterprises, instructors, the organization tree, rosters, leads. */
export const clerksAndAdmins = requireRole("admin", "clerk");

/** Those who may read the finds and the imports: clerks, administrators and supervisors (not branch secretaries). */
export const clerksAdminsAndSupervisors = requireRole("admin", "clerk", "supervisor");

/** The audit log: administrators and supervisors. */
export const adminsAndSupervisors = requireRole("admin", "supervisor");

/** Accounts and platform API keys. */
export const adminOnly = requireRole("admin");
