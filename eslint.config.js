import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

const noWorkers = { group: ["**/workers/**"], message: "app/ never imports workers/" };

// A `*-rules.ts` file is the pure half of a use case (house-style): no database, queue, network,
// file system or framework. It may import other pure modules (errors, parsers, types).
const impureModules = [
  {
    group: ["*.server", "*.server.*", "**/*.server", "**/*.server.*"],
    allowTypeImports: true,
    message: "*-rules.ts stays pure: no *.server modules (I/O lives there)",
  },
  {
    group: ["pg", "pg/*", "pg-*", "ioredis", "ioredis/*", "bullmq", "bullmq/*", "@prisma/*", ".prisma/*"],
    allowTypeImports: true,
    message: "*-rules.ts stays pure: no database or queue client",
  },
  {
    group: ["@remix-run/*", "@shopify/*", "react", "react-dom", "msw", "msw/*", "pino"],
    allowTypeImports: true,
    message: "*-rules.ts stays pure: no framework, Shopify library or logger",
  },
];
const ioBuiltins = [
  "fs",
  "fs/promises",
  "net",
  "http",
  "https",
  "http2",
  "tls",
  "dgram",
  "dns",
  "dns/promises",
  "child_process",
  "cluster",
  "worker_threads",
  "readline",
  "inspector",
];
const impureBuiltins = ioBuiltins
  .flatMap((name) => [name, `node:${name}`])
  .map((name) => ({ name, allowTypeImports: true, message: "*-rules.ts stays pure: no file system, network or process I/O" }));

export default tseslint.config(
  { ignores: ["build/**", "build-preview/**", "node_modules/**", ".cache/**", "test-results/**", "public/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-imports": ["error", { patterns: [noWorkers] }],
    },
  },
  {
    // No import cycles (house-style), resolved the way TypeScript resolves them (tsconfig paths).
    files: ["**/*.{ts,tsx,js,mjs}"],
    plugins: { "import-x": importX },
    settings: {
      // The plugin reads an imported file only when its extension is listed and it knows its parser.
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["**/*-rules.ts"],
    // A type-only import is erased at build time, so it cannot make the file impure.
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: impureModules, paths: impureBuiltins }] },
  },
  {
    files: ["workers/**", "test/**", "bench/**"],
    rules: { "no-restricted-imports": "off" },
  },
);
