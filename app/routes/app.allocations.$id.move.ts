// Manual override from the admin panel: move an allocation (or part of it) to another lot of the
// same variant at the same location. GET lists the lots it can go to; POST moves. Resource route
// used by the <MoveAllocation> control (app/components/move-allocation.tsx) wherever a page shows
// allocations. The shop comes from the session; an allocation of another shop is a 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, forClient, idParam } from "../lib/admin-context.server";
import { withTransaction } from "../lib/sql.server";
import { findAllocationForMove, listMoveTargets } from "../domain/allocation/queries.server";
import { moveAllocation } from "../domain/allocation/move-allocation.server";
import { AllocationNotFoundError, AllocationNotMovableError, LotNotFoundError, LotVariantMismatchError } from "../domain/allocation/errors";
import { InsufficientStockError } from "../domain/ledger/ledger.server";
import { failed, ok } from "../components/action-result";
import { plural } from "../components/plural";
import { parseId } from "../lib/ids";

const notFound = () => new Response("Not found", { status: 404 });

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
  const lotId = parseId(String(form.get("lotId") ?? ""));
  if (lotId === null) return failed("Choose the lot the units really came from", { lotId: "choose a lot" });
  const quantityText = String(form.get("quantity") ?? "").trim();
  if (quantityText && !/^[1-9]\d{0,8}$/.test(quantityText)) return failed("Units must be a whole number above 0 (leave empty for all)", { quantity: "whole number above 0" });
  try {
    const { moved, remainder, toLotNumber } = await withTransaction(async (sql) => {
      const result = await moveAllocation(sql, { shopId, allocationId, toLotId: lotId, quantity: quantityText ? Number(quantityText) : undefined, cause: "USER", causeRef: `admin:${shop}` });
      const now = await findAllocationForMove(shopId, result.moved.id, { db: sql });
      return { ...result, toLotNumber: now?.lotNumber ?? `lot ${lotId}` };
    });
    const source = from.unknownLot || from.lotNumber === null ? "the unknown lot" : from.lotNumber;
    return ok(`Moved ${plural(moved.quantity, "unit")} from ${source} to ${toLotNumber}${remainder ? `; ${remainder.quantity - remainder.returnedQuantity} stay on ${source}` : ""}`, {
      movedAllocationId: moved.id.toString(),
    });
  } catch (error) {
    if (error instanceof AllocationNotFoundError) throw notFound();
    if (error instanceof AllocationNotMovableError || error instanceof LotNotFoundError || error instanceof LotVariantMismatchError || error instanceof InsufficientStockError) {
      return failed(error.message);
    }
    throw error;
  }
};
