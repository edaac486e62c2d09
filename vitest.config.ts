import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // s3rver signs ListObjectsV2 continuation tokens with DES, which OpenSSL 3
    // only offers through its legacy provider. execArgv needs the forks pool.
    pool: "forks",
    execArgv: ["--openssl-legacy-provider"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // cli-table3's colour library turns colour off for good when CI is set
      // and stdout is not a terminal, so tests of coloured tables force it.
      // The CLI processes that tests start get their own environment.
      FORCE_COLOR: "1",
    },
  },
});
