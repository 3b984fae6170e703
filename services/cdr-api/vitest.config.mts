import { defineConfig } from "vitest/config";

// The API tests share two MariaDB servers that the global set-up starts once on
// 127.0.97.2 (HQ) and 127.0.97.3 (the tabasco branch); files run one at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
