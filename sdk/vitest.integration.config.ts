import { defineConfig } from 'vitest/config';

/** Integration tests: the SDK against a real broker process, over real sockets. */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.{ts,tsx}'],
    environment: 'node',
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    // The React tests publish from the test itself (standing in for a server) through the DOM's fetch.
    environmentOptions: { happyDOM: { settings: { fetch: { disableSameOriginPolicy: true } } } },
  },
});
