import { defineConfig } from 'vitest/config';

// End-to-end tests in Node: they start `wrangler dev` (and the local Lambda emulator) and drive them with real clients.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts', 'test/dev/**/*.test.ts', 'test/architecture.test.ts'],
    environment: 'node',
    // The AWS SDK's notice that its 2027 releases need Node 22 would repeat in every file's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own wrangler dev; two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
