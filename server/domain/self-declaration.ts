// The member rules that apply to what a worker declares about himself (date joined against the
// birth date in the ID number, nothing in the future): the members area's rules, not a copy.

import { parseIdNumber } from "./id-number.js";
import type { FieldErrors } from "../errors.js";
import { memberRuleErrors } from "./member-rules.js";

export type Declared = { idNumber: string; name: string; joinedOn: string | null; category?: "full" | "probationary" | null };

/** Field errors for the declared facts; {} when they hold. `idNumber` is already validated. */
export function declaredFactErrors(d: Declared, today: string): FieldErrors {
  const id = parseIdNumber(d.idNumber, today);
  if (!id.ok) return { idNumber: id.reason };
  const e = memberRuleErrors(
    {
      name: d.name,
      gender: id.gender,
      ethnicity: "01",
      birthDate: id.birthDate,
      idNumber: id.value,
      phone: null,
      education: null,
      category: d.category ?? "full",
      joinedOn: d.joinedOn,
      fullOn: null,
      occupation: null,
      enterpriseId: null,
      orgId: 0,
      relationStatus: "unattached",
      relationOrgName: null,
      discoveryChannel: null,
      discoveredOn: null,
      verifiedOn: null,
      managedOn: null,
    },
    id,
    today,
  );
  // Only the facts the forms ask for; the rest were filled in above and cannot be wrong.
  return e.joinedOn ? { joinedOn: e.joinedOn } : {};
}
