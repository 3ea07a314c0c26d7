// The guard rails in eslint.config.js (enforced by `npm run lint`, part of `npm test`) fail on a
// deliberate violation: an import cycle, and a `*-rules.ts` file that reaches for I/O. The
// project's own config is run through the ESLint API on small fixtures.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const eslint = new ESLint({ cwd: root });

async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe("*-rules.ts stays pure", () => {
  const impure = [
    `import { pool } from "../../db.server";`,
    `import { withTransaction } from "~/lib/sql.server";`,
    `import { ensureShop } from "../shops/shops.server.ts";`,
    `import pg from "pg";`,
    `import { Redis } from "ioredis";`,
    `import { Queue } from "bullmq";`,
    `import { PrismaClient } from "@prisma/client";`,
    `import { readFile } from "node:fs/promises";`,
    `import { readFileSync } from "fs";`,
    `import net from "node:net";`,
    `import { json } from "@remix-run/node";`,
  ];

  it.each(impure)(
    "a rules file with %s fails lint",
    async (line) => {
      const ids = await ruleIds(`${line}\nexport const used = [${line.match(/import \{?\s*(\w+)/)![1]}];\n`, "app/domain/lots/example-rules.ts");
      expect(ids).toContain("@typescript-eslint/no-restricted-imports");
    },
    30_000,
  );

  it("the same imports are allowed in a use case (*.server.ts): the rule is about rules files", async () => {
    const code = `${impure.slice(3).join("\n")}\nexport const used = [pg, Redis, Queue, PrismaClient, readFile, readFileSync, net, json];\n`;
    expect(await ruleIds(code, "app/domain/lots/example.server.ts")).toEqual([]);
  }, 30_000);

  it("a rules file importing pure modules (errors, parsers, zod) and types from a use case passes", async () => {
    const code = `import { z } from "zod";\nimport { DomainError } from "../errors";\nimport type { Db } from "../../lib/sql.server";\nexport const used = [z, DomainError];\nexport type T = Db;\n`;
    expect(await ruleIds(code, "app/domain/lots/example-rules.ts")).toEqual([]);
  }, 30_000);

  it("app/ never imports workers/ (rules files included)", async () => {
    for (const file of ["app/domain/lots/example-rules.ts", "app/domain/lots/example.server.ts"]) {
      expect(await ruleIds(`import { x } from "../../../workers/main";\nexport const used = x;\n`, file)).toContain("no-restricted-imports");
    }
  }, 30_000);
});

describe("no import cycles", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function lintFiles(files: Record<string, string>): Promise<Record<string, string[]>> {
    const dir = await mkdtemp(path.join(tmpdir(), "lk-lint-cycle-"));
    dirs.push(dir);
    for (const [name, code] of Object.entries(files)) await writeFile(path.join(dir, name), code);
    // The project's config, run where the fixture files are (ESLint lints only below its cwd).
    const scratch = new ESLint({ cwd: dir, overrideConfigFile: path.join(root, "eslint.config.js") });
    const results = await scratch.lintFiles(Object.keys(files));
    return Object.fromEntries(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`)]));
  }

  it("two modules importing each other fail lint, through a third as well", async () => {
    const found = await lintFiles({
      "a.server.ts": `import { b } from "./b.server";\nexport const a = () => b();\n`,
      "b.server.ts": `import { c } from "./c";\nexport const b = () => c();\n`,
      "c.ts": `import { a } from "./a.server";\nexport const c = () => a();\n`,
    });
    expect(found["a.server.ts"]).toContain("import-x/no-cycle");
    expect(found["c.ts"]).toContain("import-x/no-cycle");
  }, 30_000);

  it("the same modules without the back edge pass; a type-only back edge is no cycle (erased)", async () => {
    const found = await lintFiles({
      "a.server.ts": `import { b } from "./b.server";\nexport const a = () => b();\nexport type A = number;\n`,
      "b.server.ts": `import { c } from "./c";\nexport const b = () => c();\n`,
      "c.ts": `import type { A } from "./a.server";\nexport const c = (): A => 1;\n`,
    });
    expect(found).toEqual({ "a.server.ts": [], "b.server.ts": [], "c.ts": [] });
  }, 30_000);
});
