import { defineConfig } from 'vite';

/**
 * The gateway serves `dist/` at `/dashboard/`; hashed assets may be cached for good, `index.html`
 * never is.
 */
export default defineConfig({
  base: '/dashboard/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npm run dev -w @sportello/dashboard` against a hub running on the default port.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', ws: true },
      '/dashboard/config.json': { target: 'http://127.0.0.1:4000' },
    },
  },
});
