import { defineConfig } from 'vitest/config';

/** Unit tests: injected WebSocket and clock, no network. */
export default defineConfig({
  test: { include: ['test/unit/**/*.test.ts'], environment: 'node' },
});
