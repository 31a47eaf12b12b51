import { z } from "zod";
import { requiredText } from "./fields.js";

/** An industry an administrator adds to the code list (the four of new employment groups to start). */
export const industryInputSchema = z.object({
  code: requiredText("行业代码", 40).pipe(
    z.string().regex(/^[a-z][a-z0-9_]*$/, "行业代码只能包含小写字母、数字和下划线，并以字母开头（如 ride_hailing）"),
  ),
  name: requiredText("行业名称", 20),
});
export type IndustryInput = z.infer<typeof industryInputSchema>;
