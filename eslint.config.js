import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", ".cache/**", "test-results/**", "public/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/workers/**"], message: "app/ never imports workers/" }] }],
    },
  },
  {
    files: ["workers/**", "test/**", "bench/**"],
    rules: { "no-restricted-imports": "off" },
  },
);
