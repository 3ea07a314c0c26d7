// What Shopify's Admin GraphQL endpoint refuses before running a request, for the simulator
// (app/preview/shopify-simulator.server.ts) and the tests' msw handlers (test/helpers/shopify-mock.ts),
// so that neither answers a request a real store would refuse:
//  - a document invalid against Shopify's published schema of the request's API version, or one
//    using a deprecated field, argument, input field or enum value (Shopify still answers those, but
//    drops them in a later version: refused here on purpose, decision 080);
//  - variables that do not fit their types;
//  - an input object without a field Shopify states is mandatory though nullable (changeFromQuantity);
//  - a mutation Shopify states needs @idempotent(key:) sent without it or with a blank key;
//  - a connection without first/last or asking for more than 250;
//  - a requested cost over 1,000 (MAX_COST_EXCEEDED);
//  - a bulkOperationRunQuery whose query is invalid or breaks the bulk rules (as userErrors);
//  - a request finding the shop's leaky bucket short of its requested cost (THROTTLED).
// Answers take Shopify's shape: { errors: [{ message, extensions: { code, ... } }], extensions: { cost } }.
import {
  GraphQLError,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  typeFromAST,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  getVariableValues,
  type DocumentNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
import type { QueryCost } from "../../domain/sync/throttle";
import { adminContract, type AdminContract } from "./admin-schema";
import { LeakyBucket, STANDARD_PLAN, type PlanLimits } from "./leaky-bucket";
import { actualQueryCost, pickOperation, QueryCostError, requestedQueryCost, SINGLE_QUERY_MAX_COST } from "./query-cost";

export interface ShopifyError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions: { code: string } & Record<string, unknown>;
}

export interface AdminRequestBody {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** A refused request: the JSON body Shopify answers (HTTP 200). */
export interface Refusal {
  errors?: ShopifyError[];
  data?: Record<string, unknown>;
  extensions?: { cost: QueryCost };
}

export type Checked = { ok: true; document: DocumentNode; operation: OperationDefinitionNode; requestedCost: number } | { ok: false; body: Refusal };

const VALIDATION_RULES = [...specifiedRules, NoDeprecatedCustomRule];

const refuse = (errors: ShopifyError[]): Checked => ({ ok: false, body: { errors } });

/** graphql-js messages (its wording, not graphql-ruby's), with a code of Shopify's kind. */
function validationError(error: GraphQLError): ShopifyError {
  const m = error.message;
  const code = /^Cannot query field/.test(m)
    ? "undefinedField"
    : /^Unknown argument/.test(m)
      ? "argumentNotAccepted"
      : /argument .* is required|of required type .* was not provided/.test(m)
        ? "missingRequiredArguments"
        : /^Unknown type/.test(m)
          ? "undefinedType"
          : /is deprecated/.test(m)
            ? "deprecated"
            : /^Variable/.test(m)
              ? "variableMismatch"
              : "GRAPHQL_VALIDATION_FAILED";
  return { message: m, ...(error.locations ? { locations: [...error.locations] } : {}), extensions: { code } };
}

/** Everything Shopify refuses about the request itself (not the bucket): see the header. */
export function checkAdminRequest(contract: AdminContract, body: AdminRequestBody): Checked {
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (error) {
    const e = error as GraphQLError;
    return refuse([{ message: e.message, ...(e.locations ? { locations: [...e.locations] } : {}), extensions: { code: "PARSE_ERROR" } }]);
  }
  const invalid = validate(contract.schema, document, VALIDATION_RULES);
  if (invalid.length > 0) return refuse(invalid.map(validationError));
  let operation: OperationDefinitionNode;
  try {
    operation = pickOperation(document, body.operationName ?? undefined);
  } catch (error) {
    return refuse([{ message: (error as Error).message, extensions: { code: "BAD_REQUEST" } }]);
  }
  const variables = body.variables ?? {};
  const coerced = getVariableValues(contract.schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return refuse(coerced.errors.map((e) => ({ message: e.message, extensions: { code: "INVALID_VARIABLE" } })));
  const inputProblems = [...mandatoryFieldsInLiterals(contract, document), ...variableInputProblems(contract, operation, variables)];
  if (inputProblems.length > 0) return refuse(inputProblems);
  if (operation.operation === "mutation") {
    const missing = missingIdempotency(contract, operation, variables);
    if (missing.length > 0) return refuse(missing);
  }
  let requestedCost: number;
  try {
    requestedCost = requestedQueryCost(contract.schema, document, { variables, operationName: operation.name?.value });
  } catch (error) {
    if (error instanceof QueryCostError) return refuse([{ message: error.message, extensions: { code: "BAD_REQUEST" } }]);
    throw error;
  }
  if (requestedCost > SINGLE_QUERY_MAX_COST) {
    return refuse([
      {
        message: `Query cost is ${requestedCost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n`,
        extensions: {
          code: "MAX_COST_EXCEEDED",
          cost: requestedCost,
          maxCost: SINGLE_QUERY_MAX_COST,
          documentation: "https://shopify.dev/api/usage/rate-limits",
        },
      },
    ]);
  }
  const bulk = bulkQueryProblems(contract, operation, variables);
  if (bulk) return { ok: false, body: { data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: bulk } } } };
  return { ok: true, document, operation, requestedCost };
}

const mandatoryMessage = (typeName: string, field: string) => `${typeName} must include the following argument: ${field}`;

/** Object literals written in the document that lack a mandatory-but-nullable field. */
function mandatoryFieldsInLiterals(contract: AdminContract, document: DocumentNode): ShopifyError[] {
  const problems: ShopifyError[] = [];
  const typeInfo = new TypeInfo(contract.schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      ObjectValue(node) {
        const type = getNamedType(typeInfo.getInputType());
        if (!type || !isInputObjectType(type)) return;
        for (const field of contract.mandatoryInputFields.get(type.name) ?? []) {
          if (!node.fields.some((f) => f.name.value === field)) {
            problems.push({
              message: mandatoryMessage(type.name, field),
              locations: node.loc ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] : undefined,
              extensions: { code: "INVALID_FIELD_ARGUMENTS" },
            });
          }
        }
      },
    }),
  );
  return problems;
}

/** Variables' values: mandatory-but-nullable fields absent, deprecated input fields present. */
function variableInputProblems(contract: AdminContract, operation: OperationDefinitionNode, variables: Record<string, unknown>): ShopifyError[] {
  const problems: ShopifyError[] = [];
  const walk = (type: GraphQLInputType, value: unknown, path: string) => {
    if (value === null || value === undefined) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      if (Array.isArray(value)) value.forEach((item, i) => walk(nullable.ofType, item, `${path}.${i}`));
      return;
    }
    if (!isInputObjectType(nullable) || typeof value !== "object") return;
    const record = value as Record<string, unknown>;
    for (const field of contract.mandatoryInputFields.get(nullable.name) ?? []) {
      if (!(field in record))
        problems.push({ message: `Variable ${path}: ${mandatoryMessage(nullable.name, field)}`, extensions: { code: "INVALID_FIELD_ARGUMENTS" } });
    }
    const fields = nullable.getFields();
    for (const [name, item] of Object.entries(record)) {
      const field = fields[name];
      if (!field) continue; // getVariableValues refused unknown fields already
      if (field.deprecationReason)
        problems.push({
          message: `Variable ${path}.${name}: the input field ${nullable.name}.${name} is deprecated. ${field.deprecationReason}`,
          extensions: { code: "deprecated" },
        });
      walk(field.type, item, `${path}.${name}`);
    }
  };
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(contract.schema, definition.type) as GraphQLInputType | undefined;
    if (type) walk(type, variables[definition.variable.name.value], `$${definition.variable.name.value}`);
  }
  return problems;
}

/** Mutation fields that need @idempotent(key:) and were sent without a usable key. */
function missingIdempotency(contract: AdminContract, operation: OperationDefinitionNode, variables: Record<string, unknown>): ShopifyError[] {
  const problems: ShopifyError[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !contract.idempotentMutations.has(selection.name.value)) continue;
    const directive = selection.directives?.find((d) => d.name.value === "idempotent");
    const keyNode = directive?.arguments?.find((a) => a.name.value === "key")?.value;
    const key = keyNode?.kind === Kind.STRING ? keyNode.value : keyNode?.kind === Kind.VARIABLE ? variables[keyNode.name.value] : undefined;
    if (!directive) {
      problems.push({
        message: "The @idempotent directive is required for this mutation but was not provided.",
        path: [selection.alias?.value ?? selection.name.value],
        extensions: { code: "BAD_REQUEST" },
      });
    } else if (typeof key !== "string" || key.trim() === "") {
      problems.push({
        message: "The idempotency key cannot be an empty string or whitespace only.",
        path: [selection.alias?.value ?? selection.name.value],
        extensions: { code: "BAD_REQUEST" },
      });
    }
  }
  return problems;
}

/**
 * bulkOperationRunQuery's query (a string argument, usually a variable) checked as Shopify does:
 * a valid query against the schema, at least one connection, at most five, nested at most two
 * deep, no top-level node/nodes. Returns Shopify's userErrors, or null when fine.
 */
function bulkQueryProblems(
  contract: AdminContract,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { field: string[]; message: string; code: string }[] | null {
  const field = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === "bulkOperationRunQuery");
  if (!field || field.kind !== Kind.FIELD) return null;
  const arg = field.arguments?.find((a) => a.name.value === "query")?.value;
  const inner = arg?.kind === Kind.STRING ? arg.value : arg?.kind === Kind.VARIABLE ? variables[arg.name.value] : undefined;
  if (typeof inner !== "string") return null; // getVariableValues refused it already
  const problem = (message: string) => [{ field: ["query"], message, code: "INVALID" }];
  let document: DocumentNode;
  try {
    document = parse(inner);
  } catch (error) {
    return problem(`Invalid bulk query: ${(error as Error).message}`);
  }
  const invalid = validate(contract.schema, document, VALIDATION_RULES);
  if (invalid.length > 0) return problem(`Invalid bulk query: ${invalid.map((e) => e.message).join("; ")}`);
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op || op.operation !== "query") return problem("Bulk queries must be a query operation.");
  if (op.selectionSet.selections.some((s) => s.kind === Kind.FIELD && (s.name.value === "node" || s.name.value === "nodes")))
    return problem("Bulk queries cannot use the top-level node or nodes fields.");
  let connections = 0;
  let deepest = 0;
  let depth = 0;
  const typeInfo = new TypeInfo(contract.schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter() {
          const type = getNamedType(typeInfo.getType());
          if (type && type.name.endsWith("Connection")) {
            connections += 1;
            depth += 1;
            deepest = Math.max(deepest, depth);
          }
        },
        leave() {
          const type = getNamedType(typeInfo.getType());
          if (type && type.name.endsWith("Connection")) depth -= 1;
        },
      },
    }),
  );
  if (connections === 0) return problem("Bulk queries must contain at least one connection.");
  if (connections > 5) return problem("Bulk queries cannot contain more than 5 connections.");
  if (deepest > 2) return problem("Bulk queries cannot contain connections with a nesting depth greater than 2.");
  return null;
}

/**
 * Shopify's front door for one store: the contract checks, then the shop's leaky bucket. `admit`
 * before running the request, `settle` with its data after (refunds the unused cost and gives the
 * extensions.cost to answer with). One gate per process; buckets per shop, standard plan unless set.
 */
export class ShopifyAdminGate {
  private readonly buckets = new Map<string, LeakyBucket>();
  private readonly plans = new Map<string, PlanLimits>();

  constructor(private readonly now: () => number = Date.now) {}

  bucket(shop: string): LeakyBucket {
    let bucket = this.buckets.get(shop);
    if (!bucket) {
      bucket = new LeakyBucket(this.plans.get(shop) ?? STANDARD_PLAN, this.now());
      this.buckets.set(shop, bucket);
    }
    return bucket;
  }

  /** Gives a shop another plan's limits (and a full bucket). */
  setPlan(shop: string, limits: PlanLimits): void {
    this.plans.set(shop, limits);
    this.buckets.delete(shop);
  }

  reset(): void {
    this.buckets.clear();
    this.plans.clear();
  }

  admit(shop: string, version: string, body: AdminRequestBody): Checked {
    const checked = checkAdminRequest(adminContract(version), body);
    if (!checked.ok) return checked;
    const bucket = this.bucket(shop);
    if (!bucket.take(checked.requestedCost, this.now())) {
      return {
        ok: false,
        body: {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: checked.requestedCost, actualQueryCost: null, throttleStatus: bucket.status(this.now()) } },
        },
      };
    }
    return checked;
  }

  /** After the request ran: refund requested minus actual, and the cost to report. */
  settle(shop: string, version: string, checked: Extract<Checked, { ok: true }>, data: Record<string, unknown> | null | undefined): QueryCost {
    const contract = adminContract(version);
    const actual =
      checked.operation.operation === "mutation"
        ? checked.requestedCost
        : Math.min(checked.requestedCost, actualQueryCost(contract.schema, checked.document, data ?? null, { operationName: checked.operation.name?.value }));
    const bucket = this.bucket(shop);
    bucket.refund(checked.requestedCost - actual, this.now());
    return { requestedQueryCost: checked.requestedCost, actualQueryCost: actual, throttleStatus: bucket.status(this.now()) };
  }
}
