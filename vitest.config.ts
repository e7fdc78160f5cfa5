import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "@pxe/source" export
// condition, so tests never need a prior build. TEST_DIST=1 drops that condition and the very
// same tests run against the built dist/ of every package.
const conditions = ["module", "node", "development|production"];
if (!process.env.TEST_DIST) conditions.unshift("@pxe/source");

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "tools/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    coverage: { provider: "v8", include: ["packages/*/src/**", "tools/*/src/**"] },
  },
});
