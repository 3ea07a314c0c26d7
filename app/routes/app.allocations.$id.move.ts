// Manual override from the admin panel: move an allocation (or part of it) to another lot of the
// same variant at the same location. GET lists the lots it can go to; POST moves. Resource route
// used by the <MoveAllocation> control (app/components/move-allocation.tsx) wherever a page shows
// allocations. The shop comes from the session; an allocation of another shop is a 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, forClient, idParam } from "../lib/admin-context.server";
import { withTransaction } from "../lib/sql.server";
import { findAllocationForMove, listMoveTargets } from "../domain/allocation/queries.server";
import { moveAllocation } from "../domain/allocation/move-allocation.server";
import { queueOrderLotsWriteback } from "../domain/writeback/order-lots.server";
import { moveAllocationRequest, moveRequestProblems } from "../domain/allocation/move-request";
import { refusal } from "../lib/domain-error-response.server";
import { failed, ok } from "../components/action-result";
import { plural } from "../components/plural";

const notFound = () => new Response("Not found", { status: 404 });
/** A form field as the schema reads it (absent -> undefined; a file is no text). */
const formText = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
};

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const allocationId = idParam(params.id);
  const allocation = await findAllocationForMove(shopId, allocationId);
  if (!allocation) throw notFound();
  const targets = allocation.status === "ALLOCATED" ? await listMoveTargets(shopId, allocationId) : [];
  return forClient({ allocation, targets });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shopId, shop } = await adminContext(request);
  const allocationId = idParam(params.id);
  const from = await findAllocationForMove(shopId, allocationId);
  if (!from) throw notFound();
  const form = await request.formData();
  const parsed = moveAllocationRequest.safeParse({
    allocationId: allocationId.toString(),
    lotId: formText(form, "lotId"),
    quantity: formText(form, "quantity"),
  });
  if (!parsed.success) {
    const problems = moveRequestProblems(parsed.error);
    if (problems.lotId) return failed("Choose the lot the units really came from", { lotId: "choose a lot" });
    return failed("Units must be a whole number above 0 (leave empty for all)", { quantity: "whole number above 0" });
  }
  const { lotId, quantity } = parsed.data;
  try {
    const { moved, remainder, toLotNumber, writebackOutboxId } = await withTransaction(async (sql) => {
      const result = await moveAllocation(sql, { shopId, allocationId, toLotId: lotId!, quantity, cause: "USER", causeRef: `admin:${shop}` });
      const now = await findAllocationForMove(shopId, result.moved.id, { db: sql });
      return { ...result, toLotNumber: now?.lotNumber ?? `lot ${lotId}` };
    });
    await queueOrderLotsWriteback([writebackOutboxId]);
    const source = from.unknownLot || from.lotNumber === null ? "the unknown lot" : from.lotNumber;
    return ok(
      `Moved ${plural(moved.quantity, "unit")} from ${source} to ${toLotNumber}${remainder ? `; ${remainder.quantity - remainder.returnedQuantity} stay on ${source}` : ""}`,
      {
        movedAllocationId: moved.id.toString(),
      },
    );
  } catch (error) {
    return refusal(error, { resource: "allocation" });
  }
};
