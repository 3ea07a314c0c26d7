// Prisma without internet: the JS engine and the pg driver adapter (see ../shared toolchain notes
// and docs/decisions/001-runtime-and-prisma.md). migrate deploy runs through this adapter too.
import { config as loadDotEnv } from "dotenv";

loadDotEnv({ quiet: true });
import path from "node:path";
import type { PrismaConfig } from "prisma";
import { PrismaPg } from "@prisma/adapter-pg";

// The schema reads env("DATABASE_URL"); give it the same default as app/env.server.ts.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/lotkeeper";

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
} satisfies PrismaConfig;
