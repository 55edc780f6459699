import devServer from '@hono/vite-dev-server';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In dev, /api/* goes to the hono app (server/app.ts, which also starts the
// once-a-second schedule) on the same port; everything else is Vite.
export default defineConfig({
  plugins: [react(), devServer({ entry: 'server/app.ts', exclude: [/^(?!\/api\/).*/] })],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
});
