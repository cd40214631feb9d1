import { defineConfig } from 'vite';

// The API serves dist/ at `/`; hashed file names under assets/ let it cache them for a year.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: true,
  },
});
