// Shopify's calculated query cost, as published for the GraphQL Admin API
// (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, "Cost calculation"):
// scalars and enums 0, objects 1, interfaces and unions the maximum of their possible selections,
// connections 2 plus their size (`first` or `last`) times the cost of one node, mutations 10.
// The requested cost is computed before running from the document and its variables; the actual
// cost after, from what came back (a null object or a short page costs less). Pure: unit-tested in
// test/unit/shopify-query-cost.test.ts. Fields Shopify prices above the default (a few heavy ones)
// are not known here: they are not published in the schema.
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** Shopify refuses a single query whose requested cost is over this, on every plan. */
export const SINGLE_QUERY_MAX_COST = 1000;
/** Every mutation field costs this much, whatever it selects. */
export const MUTATION_COST = 10;
/** Shopify refuses a connection asked for more than this many nodes. */
export const MAX_PAGE_SIZE = 250;

/** A query Shopify would refuse before pricing it (a connection without first/last, a page over 250). */
export class QueryCostError extends Error {
  override name = "QueryCostError";
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

type Data = Record<string, unknown> | null | undefined;

/** The requested cost of the document's operation (the named one, or the only one). */
export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: { variables?: Record<string, unknown>; operationName?: string } = {},
): number {
  return operationCost(schema, document, options, undefined);
}

/** The actual cost: the same rules applied to the data Shopify returned. */
export function actualQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  data: Record<string, unknown> | null,
  options: { variables?: Record<string, unknown>; operationName?: string } = {},
): number {
  return operationCost(schema, document, options, data ?? null);
}

function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: { variables?: Record<string, unknown>; operationName?: string },
  data: Data | undefined,
): number {
  const operation = pickOperation(document, options.operationName);
  const walk: Walk = {
    schema,
    fragments: new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d])),
    variables: options.variables ?? {},
  };
  if (operation.operation === "mutation") {
    const mutationType = schema.getMutationType();
    if (!mutationType) throw new QueryCostError("the schema has no mutations");
    return collectFields(walk, operation.selectionSet, mutationType).filter((f) => !f.name.value.startsWith("__")).length * MUTATION_COST;
  }
  const root = operation.operation === "query" ? schema.getQueryType() : schema.getSubscriptionType();
  if (!root) throw new QueryCostError(`the schema has no ${operation.operation} type`);
  return selectionCost(walk, operation.selectionSet, root, data);
}

export function pickOperation(document: DocumentNode, operationName?: string): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new QueryCostError(operationName ? `no operation named ${operationName}` : "the document must hold exactly one operation or name one");
  return operation;
}

/** The cost of a selection on a type; an interface or union costs its most expensive possible type. */
function selectionCost(walk: Walk, set: SelectionSetNode, type: GraphQLNamedType, data: Data | undefined): number {
  if (isAbstractType(type)) {
    let most = 0;
    for (const possible of walk.schema.getPossibleTypes(type)) most = Math.max(most, selectionCost(walk, set, possible, data));
    return most;
  }
  if (!isObjectType(type)) return 0;
  let sum = 0;
  for (const field of collectFields(walk, set, type)) {
    const definition = type.getFields()[field.name.value];
    if (!definition) continue; // __typename and the like
    const key = field.alias?.value ?? field.name.value;
    sum += fieldCost(walk, field, definition, data === undefined ? undefined : (data?.[key] as unknown));
  }
  return sum;
}

/** The fields a selection asks of one concrete type, through fragments whose condition it meets. */
function collectFields(walk: Walk, set: SelectionSetNode, type: GraphQLObjectType, out: FieldNode[] = []): FieldNode[] {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(walk, selection.typeCondition?.name.value, type)) collectFields(walk, selection.selectionSet, type, out);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && applies(walk, fragment.typeCondition.name.value, type)) collectFields(walk, fragment.selectionSet, type, out);
    }
  }
  return out;
}

function applies(walk: Walk, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (!condition || condition === type.name) return true;
  const conditionType = walk.schema.getType(condition);
  return !!conditionType && isAbstractType(conditionType) && walk.schema.isSubType(conditionType, type);
}

function isConnection(type: GraphQLNamedType): type is GraphQLObjectType {
  return (
    isObjectType(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields() && ("edges" in type.getFields() || "nodes" in type.getFields())
  );
}

function argument(walk: Walk, field: FieldNode, name: string): unknown {
  const node = field.arguments?.find((a) => a.name.value === name);
  return node ? valueFromASTUntyped(node.value, walk.variables) : undefined;
}

function fieldCost(walk: Walk, field: FieldNode, definition: GraphQLField<unknown, unknown>, value: unknown): number {
  const named = getNamedType(definition.type);
  if (isLeafType(named) || !field.selectionSet) return 0;
  const actual = value !== undefined;
  if (actual && value === null) return 0; // the query ended here
  if (isConnection(named)) return connectionCost(walk, field, named, actual ? (value as Record<string, unknown>) : undefined);
  const nullable = getNullableType(definition.type);
  if (isListType(nullable)) {
    if (actual) {
      const items = Array.isArray(value) ? value : [];
      return items.reduce<number>((sum, item) => sum + (item === null ? 0 : 1 + selectionCost(walk, field.selectionSet!, named, item as Data)), 0);
    }
    // A list sized by a list argument (nodes(ids:), quantities(names:)) costs per element asked for.
    const sizes = (field.arguments ?? []).map((a) => valueFromASTUntyped(a.value, walk.variables)).filter(Array.isArray);
    const size = sizes.length > 0 ? Math.max(...sizes.map((s) => s.length)) : 1;
    return size * (1 + selectionCost(walk, field.selectionSet, named, undefined));
  }
  return 1 + selectionCost(walk, field.selectionSet, named, actual ? (value as Data) : undefined);
}

/** 2 + size x (1 + the node's selection); the node is reached through edges { node } or nodes. */
function connectionCost(walk: Walk, field: FieldNode, type: GraphQLObjectType, value: Record<string, unknown> | undefined): number {
  const nodeSelections: { set: SelectionSetNode; through: "edges" | "nodes" }[] = [];
  const edgeType = type.getFields().edges ? getNamedType(type.getFields().edges!.type) : undefined;
  for (const sub of collectFields(walk, field.selectionSet!, type)) {
    if (sub.name.value === "nodes" && sub.selectionSet) nodeSelections.push({ set: sub.selectionSet, through: "nodes" });
    if (sub.name.value === "edges" && sub.selectionSet && edgeType && isObjectType(edgeType)) {
      for (const edgeField of collectFields(walk, sub.selectionSet, edgeType)) {
        if (edgeField.name.value === "node" && edgeField.selectionSet) nodeSelections.push({ set: edgeField.selectionSet, through: "edges" });
      }
    }
  }
  const nodeType = getNamedType((type.getFields().nodes ?? type.getFields().edges)!.type);
  const innerNode = isObjectType(nodeType) && nodeType.getFields().node ? getNamedType(nodeType.getFields().node!.type) : nodeType;
  if (value !== undefined) {
    let sum = 2;
    for (const { set, through } of nodeSelections) {
      const list = (through === "nodes" ? value.nodes : (value.edges as { node?: unknown }[] | undefined)?.map((e) => e?.node)) as Data[] | undefined;
      const part = (list ?? []).reduce<number>((s, node) => s + (node ? 1 + selectionCost(walk, set, innerNode, node) : 0), 0);
      sum = Math.max(sum, 2 + part);
    }
    return sum;
  }
  const first = argument(walk, field, "first");
  const last = argument(walk, field, "last");
  const size = typeof first === "number" ? first : typeof last === "number" ? last : undefined;
  if (size === undefined) throw new QueryCostError(`${field.name.value}: you must provide one of first or last`);
  if (size > MAX_PAGE_SIZE)
    throw new QueryCostError(`${field.name.value}: first cannot exceed ${MAX_PAGE_SIZE}; to query larger amounts of data, use bulk operations`);
  const perNode = nodeSelections.reduce((most, { set }) => Math.max(most, 1 + selectionCost(walk, set, innerNode, undefined)), nodeSelections.length ? 0 : 0);
  return 2 + size * perNode;
}
