// Shared set-up of the transfer tests: the small city, signed-in agents with their CSRF token,
// and readers of the rows the tests assert on.

import { createTestApp, type Agent, signIn, type TestApp } from "../../helpers/app.js";
import { addMember } from "../../helpers/fixtures.js";

export type Signed = Agent & { token: string };

export async function signedIn(t: TestApp, username: string): Promise<Signed> {
  const a = (await signIn(t.app, username)) as Signed;
  a.token = await a.csrf("/transfers");
  return a;
}

export function post(a: Signed, path: string, body: Record<string, string | number> = {}) {
  return a
    .post(path)
    .type("form")
    .send({ ...body, _csrf: a.token });
}

export type World = Awaited<ReturnType<typeof world>>;

/** The small city with an agent per account, and a helper to read rows. */
export async function world() {
  const t = await createTestApp();
  const [secDl, secJoint, secPs, clerkDl, clerkPs, admin, supervisor] = await Promise.all(
    ["t-sec-dl", "t-sec-joint", "t-sec-ps", "t-clerk-dl", "t-clerk-ps", "t-admin", "t-supervisor"].map((u) => signedIn(t, u)),
  );
  const db = t.handle.sqlite;
  return {
    t,
    city: t.city,
    secDl: secDl!,
    secJoint: secJoint!,
    secPs: secPs!,
    clerkDl: clerkDl!,
    clerkPs: clerkPs!,
    admin: admin!,
    supervisor: supervisor!,
    member: (id: number) => db.prepare("SELECT * FROM members WHERE id = ?").get(id) as Record<string, any>,
    transfer: (id: number) => db.prepare("SELECT * FROM transfers WHERE id = ?").get(id) as Record<string, any>,
    transfersOf: (memberId: number) =>
      db.prepare("SELECT * FROM transfers WHERE member_id = ? ORDER BY id").all(memberId) as Record<string, any>[],
    events: (memberId: number) =>
      db.prepare("SELECT * FROM member_events WHERE member_id = ? ORDER BY id").all(memberId) as Record<string, any>[],
    spells: (memberId: number) =>
      db.prepare("SELECT * FROM mobile_spells WHERE member_id = ? ORDER BY id").all(memberId) as Record<string, any>[],
    audit: (action: string) => db.prepare("SELECT * FROM audit_log WHERE action = ? ORDER BY id").all(action) as Record<string, any>[],
    addMember: (orgId: number, over: Parameters<typeof addMember>[2] = {}) => addMember(t.handle, orgId, over),
  };
}

/** The id at the end of a redirect to /transfers/:id. */
export function idFrom(location: string | undefined): number {
  const m = /\/transfers\/(\d+)$/.exec(location ?? "");
  if (!m) throw new Error(`not a transfer location: ${location}`);
  return Number(m[1]);
}
