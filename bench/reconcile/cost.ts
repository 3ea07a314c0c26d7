// The requested cost of an Admin GraphQL document by Shopify's published rules
// (shopify.dev/docs/api/usage/rate-limits#cost-calculation), for the benchmark's figures:
//   scalar, enum: 0; object: 1; connection (sized by first/last): 2 + size x the cost of one node
//   (pageInfo included in the 2); a list sized by an argument (nodes(ids:)): size x its element;
//   interface/union fragments: the most expensive member; a mutation: 10.
// Without the schema a field with a selection set is an object; `first`/`last` make it a connection
// whose `nodes` / `edges { node }` are the node. Good for the app's own documents, which this is for.
import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from "graphql";

export const SHOPIFY_MAX_QUERY_COST = 1000;
/** Standard plan: the bucket holds 2,000 points and refills 100 per second (docs/shopify-facts). */
export const STANDARD_BUCKET = 2000;
export const STANDARD_RESTORE_PER_SECOND = 100;

export function requestedCost(document: string, variables: Record<string, unknown> = {}): number {
  const doc = parse(document);
  let total = 0;
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    total += def.operation === "mutation" ? 10 : selectionCost(def.selectionSet, variables);
  }
  return total;
}

function value(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values;
  return undefined;
}

function selectionCost(set: SelectionSetNode | undefined, variables: Record<string, unknown>): number {
  if (!set) return 0;
  let fields = 0;
  let fragments = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) fields += fieldCost(s, variables);
    else if (s.kind === Kind.INLINE_FRAGMENT) fragments = Math.max(fragments, selectionCost(s.selectionSet, variables));
  }
  return fields + fragments;
}

function fieldCost(field: FieldNode, variables: Record<string, unknown>): number {
  if (!field.selectionSet) return 0;
  if (field.name.value === "pageInfo") return 0;
  const arg = (name: string) => value(field.arguments?.find((a) => a.name.value === name)?.value, variables);
  const size = Number(arg("first") ?? arg("last") ?? NaN);
  if (Number.isFinite(size)) {
    let node = 0;
    for (const s of field.selectionSet.selections) {
      if (s.kind !== Kind.FIELD) continue;
      if (s.name.value === "nodes") node = Math.max(node, 1 + selectionCost(s.selectionSet, variables));
      if (s.name.value === "edges") {
        const inner = s.selectionSet?.selections.find((e): e is FieldNode => e.kind === Kind.FIELD && e.name.value === "node");
        node = Math.max(node, 1 + selectionCost(inner?.selectionSet, variables));
      }
    }
    return 2 + size * node;
  }
  const ids = arg("ids");
  if (Array.isArray(ids)) return ids.length * (1 + selectionCost(field.selectionSet, variables));
  return 1 + selectionCost(field.selectionSet, variables);
}

/** Seconds of throttle waits to spend `points` from a full bucket: whatever the bucket does not hold, at the restore rate. */
export function throttleSeconds(points: number, bucket = STANDARD_BUCKET, restorePerSecond = STANDARD_RESTORE_PER_SECOND): number {
  return Math.max(0, points - bucket) / restorePerSecond;
}
