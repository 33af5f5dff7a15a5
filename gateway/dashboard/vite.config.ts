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
});
