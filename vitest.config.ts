import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Unit and integration tests that run inside workerd.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          SQS_ACCESS_KEY_ID: 'test-key',
          SQS_SECRET_ACCESS_KEY: 'test-secret',
          ADMIN_PASSWORD: 'test-admin',
          AWS_ACCESS_KEY_ID: 'lambda-key',
          AWS_SECRET_ACCESS_KEY: 'lambda-secret',
          AWS_ENDPOINT_URL_LAMBDA: 'http://lambda.test',
          AWS_ENDPOINT_URL_API_GATEWAY: 'http://apigateway.test',
          AWS_ACCOUNT_ID: '123456789012',
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/dev/**', 'test/architecture.test.ts', 'node_modules/**'],
  },
});
