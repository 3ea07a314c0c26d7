// msw answers for reconciliation's bulk query: bulkOperationRunQuery (LotkeeperBulkOnHandStart),
// the operation's state (LotkeeperBulkOperation, scoped to the shop that started it, as Shopify
// scopes ids to the app and shop) and the JSONL result at a signed-looking URL. Shopify's snapshot
// is taken when the test calls complete(): whatever `levels()` returns then is the result.
import { BULK_ON_HAND_QUERY } from "../../app/lib/shopify-admin.server";
import { bulkOnHandJsonl } from "./large-store";
import { graphql, http, HttpResponse, server } from "./shopify-mock";

type Status = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED";

interface Operation {
  id: string;
  shop: string;
  status: Status;
  errorCode: string | null;
  jsonl?: string;
}

const cost = (requested: number) => ({
  requestedQueryCost: requested,
  actualQueryCost: requested,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000 - requested, restoreRate: 100 },
});
let nextOperation = 900_000_000_000_000_000n; // beyond 2^53, as Shopify's ids can be

export interface BulkMock {
  operations: Operation[];
  /** Shopify finished the query: the result is the levels as they are now. */
  complete(operationId?: string): Operation;
  fail(operationId: string, errorCode: string): void;
  /** The finish webhook's body for the operation (Shopify's bulk_operations/finish shape). */
  finishPayload(operationId?: string): Record<string, unknown>;
  downloads: number;
  /** The next download breaks off after this many lines (a connection lost mid-transfer). */
  breakNextDownloadAfter?: number;
}

export function mockBulkOnHand(shop: string, levels: () => Iterable<{ inventoryItemId: bigint; locationId: bigint; onHand: number }>): BulkMock {
  const mock: BulkMock = {
    operations: [],
    downloads: 0,
    complete(operationId) {
      const op = find(operationId);
      op.status = "COMPLETED";
      op.jsonl = bulkOnHandJsonl(levels());
      return op;
    },
    fail(operationId, errorCode) {
      const op = find(operationId);
      op.status = "FAILED";
      op.errorCode = errorCode;
    },
    finishPayload(operationId) {
      const op = find(operationId);
      const now = new Date().toISOString();
      return {
        admin_graphql_api_id: op.id,
        completed_at: now,
        created_at: now,
        error_code: op.errorCode?.toLowerCase() ?? null,
        status: op.status.toLowerCase(),
        type: "query",
      };
    },
  };
  const find = (operationId?: string) => {
    const op = operationId ? mock.operations.find((o) => o.id === operationId) : mock.operations.at(-1);
    if (!op) throw new Error(`no bulk operation ${operationId ?? "started"} for ${shop}`);
    return op;
  };
  const resultUrl = (op: Operation) => `https://storage.shopifycloud.test/bulk-results/${op.id.split("/").pop()}.jsonl?X-Goog-Signature=test`;
  server.use(
    graphql.mutation("LotkeeperBulkOnHandStart", ({ variables, request }) => {
      if (new URL(request.url).hostname !== shop) return undefined;
      if (variables.query !== BULK_ON_HAND_QUERY)
        return HttpResponse.json({
          data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ["query"], message: "unexpected query", code: "INVALID" }] } },
        });
      if (mock.operations.filter((o) => o.status === "CREATED" || o.status === "RUNNING").length >= 5) {
        return HttpResponse.json({
          data: {
            bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: null, message: "Bulk operations limit reached.", code: "LIMIT_REACHED" }] },
          },
          extensions: { cost: cost(10) },
        });
      }
      nextOperation += 1n;
      const op: Operation = { id: `gid://shopify/BulkOperation/${nextOperation}`, shop, status: "CREATED", errorCode: null };
      mock.operations.push(op);
      return HttpResponse.json({
        data: { bulkOperationRunQuery: { bulkOperation: { id: op.id, status: "CREATED" }, userErrors: [] } },
        extensions: { cost: cost(10) },
      });
    }),
    graphql.query("LotkeeperBulkOperation", ({ variables, request }) => {
      if (new URL(request.url).hostname !== shop) return undefined;
      const op = mock.operations.find((o) => o.id === variables.id);
      return HttpResponse.json({
        data: {
          bulkOperation: op
            ? {
                id: op.id,
                status: op.status,
                errorCode: op.errorCode,
                objectCount: String(op.jsonl?.split("\n").length ?? 0),
                url: op.status === "COMPLETED" ? resultUrl(op) : null,
                partialDataUrl: null,
                completedAt: null,
              }
            : null,
        },
        extensions: { cost: cost(1) },
      });
    }),
    http.get("https://storage.shopifycloud.test/bulk-results/:file", ({ params }) => {
      const op = mock.operations.find((o) => `${o.id.split("/").pop()}.jsonl` === params.file);
      if (!op) return undefined;
      mock.downloads += 1;
      const cut = mock.breakNextDownloadAfter;
      if (cut === undefined) return new HttpResponse(op.jsonl ?? "", { headers: { "Content-Type": "application/jsonl" } });
      mock.breakNextDownloadAfter = undefined;
      const head = (op.jsonl ?? "").split("\n").slice(0, cut).join("\n") + "\n";
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(head));
          setTimeout(() => controller.error(new Error("connection reset")), 10);
        },
      });
      return new HttpResponse(body, { headers: { "Content-Type": "application/jsonl" } });
    }),
  );
  return mock;
}
