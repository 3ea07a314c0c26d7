// "Move an allocation to another lot" as entry points receive it, one zod schema for every one of
// them (docs/decisions/095-use-cases-as-steps.md): the admin's move control and review queue send
// the lot's id, the CLI (`lotkeeper allocations move`) the lot number; both send the allocation and
// optionally the units. The schema says what is valid; each entry point words a refusal in its
// own medium (a banner naming the form's field, a usage error naming the option) by the issue's
// path. moveAllocation (move-allocation.server.ts) then checks what only the database can know.
import { z } from "zod";
import { parseId } from "../../lib/ids";

/** A database id as text: 1..2^63-1 in plain digits (app/lib/ids.ts). */
const idText = z
  .string()
  .trim()
  .transform((text, ctx) => parseId(text) ?? (ctx.addIssue({ code: "custom", message: "digits" }), z.NEVER));

export const moveAllocationRequest = z
  .object({
    allocationId: idText,
    /** The admin: the lot chosen among those listed. */
    lotId: idText.optional(),
    /** The CLI: the lot number (of the allocation's variant). */
    lotNumber: z.string().trim().min(1).optional(),
    /** Empty or absent: every unit not yet returned. */
    quantity: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(
        z
          .string()
          .regex(/^[1-9]\d{0,8}$/, "whole number above 0")
          .transform(Number)
          .optional(),
      ),
  })
  .refine((r) => (r.lotId === undefined) !== (r.lotNumber === undefined), { path: ["lotId"], message: "choose a lot" });

export type MoveAllocationRequest = z.infer<typeof moveAllocationRequest>;

/** The fields of the request that are refused (the first issue of each), for the entry point to word. */
export function moveRequestProblems(error: z.ZodError): Partial<Record<"allocationId" | "lotId" | "lotNumber" | "quantity", string>> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "");
    out[field] ??= issue.message;
  }
  return out;
}
