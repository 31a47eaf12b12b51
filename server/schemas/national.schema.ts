// Query string of the national member system's completeness page.

import { z } from "zod";
import { optionalIdField, pageSizeField } from "./fields.js";

export const completenessQuerySchema = z.object({
  org: optionalIdField("党组织"),
  page: z
    .union([z.literal(""), z.coerce.number().int().min(1).max(100_000)])
    .optional()
    .transform((v) => (v === "" || v === undefined ? 1 : v)),
  size: pageSizeField,
});
export type CompletenessQuery = z.output<typeof completenessQuerySchema>;
