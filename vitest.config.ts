// Test projects: unit (pure domain rules), integration (real Postgres and Redis, Shopify answered
// by msw), e2e (the admin panel in Debian's Chromium). `npm test` runs them all.
import { randomBytes } from "node:crypto";
import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

const testEnv = {
  NODE_ENV: "test" as const,
  SHOPIFY_API_KEY: "test-api-key",
  SHOPIFY_API_SECRET: "test-api-secret",
  SHOPIFY_APP_URL: "https://lotkeeper.test",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
  // Jobs of a test that does not take a prefix of its own (useOwnQueuePrefix) stay in this run's
  // queues, never in the default ones a developer's worker, preview or another run consumes.
  QUEUE_PREFIX: `{lk-test-run-${randomBytes(4).toString("hex")}}`,
};

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    env: testEnv,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "app/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/setup/global-database.ts"],
          setupFiles: ["test/setup/msw.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/setup/global-database.ts", "test/e2e/setup/preview-database.ts", "test/e2e/setup/build.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
