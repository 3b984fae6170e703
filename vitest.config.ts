// CommonJS like the rest of the project (package.json has no "type": "module"), so Vite can
// load this file as it is.
const { defineConfig } = require("vitest/config") as typeof import("vitest/config");

// Three suites with different needs: unit tests run anywhere in seconds; integration and
// end-to-end tests need the Docker engine, Asterisk images and a Pulumi CLI.
module.exports = defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      // Real containers bind fixed loopback addresses and ports, so these files run one at a time.
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
        },
      },
    ],
  },
});
