// Shopify's own Admin GraphQL schema, for the simulator, the msw handlers and the tests: the
// introspection Shopify publishes in the npm package @shopify/dev-mcp (dist/data/admin_<version>.json.gz,
// a devDependency). Never used by the production app: only what checks requests against Shopify's
// contract loads it. Built once per version and process (about 0.5 s for 3,500 types).
//
// Besides the types, the schema's own descriptions state two rules graphql-js cannot check, and
// they are read from there so a new API version brings its rules along:
//  - mutations whose idempotency key "is required" (@idempotent(key:) since 2026-04), and
//  - input fields that are "mandatory: you must explicitly pass in a value, even if that value is
//    null" (changeFromQuantity on inventory changes since 2026-04).
// test/unit/shopify-contract.test.ts fails if Shopify rewords them and the rules come out empty.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

export interface AdminContract {
  version: string;
  schema: GraphQLSchema;
  /** Mutation fields Shopify refuses without @idempotent(key:). */
  idempotentMutations: ReadonlySet<string>;
  /** Input type name -> fields that must be present (null allowed). */
  mandatoryInputFields: ReadonlyMap<string, readonly string[]>;
}

/** The installed @shopify/dev-mcp (found on Node's module paths: its exports map allows no require.resolve). */
function devMcpDirectory(): string {
  const candidates = createRequire(import.meta.url).resolve.paths("@shopify/dev-mcp") ?? [];
  const found = candidates.map((dir) => path.join(dir, "@shopify", "dev-mcp")).find((dir) => existsSync(path.join(dir, "package.json")));
  if (!found) throw new Error("@shopify/dev-mcp is not installed (a devDependency: npm ci)");
  return found;
}

/** Shopify's introspection of one Admin API version, as the package ships it. */
export function adminSchemaFile(version: string): string {
  return path.join(devMcpDirectory(), "dist", "data", `admin_${version}.json.gz`);
}

/** The package the schema comes from, name@version (for messages and decision 080). */
export function adminSchemaSource(): string {
  const pkg = JSON.parse(readFileSync(path.join(devMcpDirectory(), "package.json"), "utf8")) as { name: string; version: string };
  return `${pkg.name}@${pkg.version}`;
}

const cache = new Map<string, AdminContract>();

/** Shopify's Admin schema and its stated rules for an API version ("2026-10"). Throws when the package ships no such version. */
export function adminContract(version: string): AdminContract {
  const cached = cache.get(version);
  if (cached) return cached;
  let raw: Buffer;
  try {
    raw = gunzipSync(readFileSync(adminSchemaFile(version)));
  } catch (error) {
    throw new Error(`no Shopify Admin schema for API version ${version} in ${adminSchemaSource()} (${(error as Error).message}); bump @shopify/dev-mcp`);
  }
  const introspection = JSON.parse(raw.toString("utf8")) as { data: IntrospectionQuery };
  const contract = { version, schema: buildClientSchema(introspection.data), ...statedRules(introspection.data, version) };
  cache.set(version, contract);
  return contract;
}

/** The rules Shopify states in descriptions (see the header). Exported for its unit test. */
export function statedRules(introspection: IntrospectionQuery, version: string): Pick<AdminContract, "idempotentMutations" | "mandatoryInputFields"> {
  const types = introspection.__schema.types;
  const mutationName = introspection.__schema.mutationType?.name;
  const idempotentMutations = new Set<string>();
  const mandatoryInputFields = new Map<string, string[]>();
  for (const type of types) {
    if (type.kind === "OBJECT" && type.name === mutationName) {
      for (const field of type.fields) {
        if (idempotencyRequired(field.description ?? "", version)) idempotentMutations.add(field.name);
      }
    }
    if (type.kind === "INPUT_OBJECT") {
      const mandatory = type.inputFields
        .filter((f) => f.type.kind !== "NON_NULL" && /mandatory\W+you must explicitly pass in a value/i.test(f.description ?? ""))
        .map((f) => f.name);
      if (mandatory.length > 0) mandatoryInputFields.set(type.name, mandatory);
    }
  }
  return { idempotentMutations, mandatoryInputFields };
}

/**
 * Every version's description carries the same history ("As of version `2026-04`, the idempotency
 * key is required"): required when the schema's version is that one or later ("unstable" is later
 * than any date; YYYY-MM strings compare in order).
 */
function idempotencyRequired(description: string, version: string): boolean {
  const dated = /As of (?:version )?`?(\d{4}-\d{2})`?,? the idempotency key is required/i.exec(description);
  if (dated) return version === "unstable" || version >= dated[1]!;
  return /idempotency key is required/i.test(description);
}
