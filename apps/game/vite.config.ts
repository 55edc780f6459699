import devServer from '@hono/vite-dev-server';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { config } from './server/config.ts';

// In dev, the hono functions (server/app.ts) answer /api/* on the same port as the front end.
export default defineConfig({
  plugins: [react(), devServer({ entry: 'server/app.ts', exclude: [/^(?!\/api\/).*/] })],
  // PORT (see server/config.ts) moves the dev server too; the app's data under .data/ is no source to watch.
  server: { host: '127.0.0.1', port: config.port, strictPort: true, watch: { ignored: ['**/.data/**'] } },
  build: { chunkSizeWarningLimit: 2000 },
});
