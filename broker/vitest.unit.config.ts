/** Unit tests: Hub + Channel + Fanout + presence wired together in memory, in plain Node (no workerd), in seconds. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
  },
});
