import devServer from '@hono/vite-dev-server';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In dev, the hono functions (server/app.ts) answer /api/* on the same port as the front end.
export default defineConfig({
  plugins: [react(), devServer({ entry: 'server/app.ts', exclude: [/^(?!\/api\/).*/] })],
  build: { chunkSizeWarningLimit: 2000 },
});
