// `npm run migration:new -- <name>`: writes the next migration by diffing the schema as of the
// last migration (prisma/migrations/schema.snapshot.prisma) against prisma/schema.prisma.
// (`prisma migrate dev` needs a shadow database engine this machine cannot download; see
// docs/decisions/001-runtime-and-prisma.md.) Apply it with `npm run setup`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  process.stderr.write("usage: npm run migration:new -- <name>\n");
  process.exit(2);
}
const snapshot = path.join(root, "prisma", "migrations", "schema.snapshot.prisma");
const schema = path.join(root, "prisma", "schema.prisma");
const sql = execFileSync(
  path.join(root, "node_modules", ".bin", "prisma"),
  ["migrate", "diff", "--from-schema-datamodel", snapshot, "--to-schema-datamodel", schema, "--script"],
  { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (/^-- This is an empty migration\.?\s*$/m.test(sql) || sql.trim() === "") {
  process.stderr.write("schema.prisma has no changes since the last migration\n");
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(root, "prisma", "migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
copyFileSync(schema, snapshot);
process.stdout.write(`wrote ${path.relative(root, dir)}/migration.sql (review it, then npm run setup)\n`);
