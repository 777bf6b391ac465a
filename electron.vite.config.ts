import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      // Runtime dependencies (onnxruntime-node, dcmjs, ...) stay in node_modules, so the
      // native onnxruntime binding is loaded from the asar-unpacked folder when packaged.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The inference worker (worker_threads), loaded by src/main/services/engine/client.ts
          // as `engine-worker.js` next to index.js.
          'engine-worker': resolve(__dirname, 'src/main/services/engine/worker/engine-worker.ts'),
          // Its onnxruntime thread, loaded by engine-worker.js as `inference-thread.js`.
          'inference-thread': resolve(__dirname, 'src/main/services/engine/runtime/inference-thread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      // A sandboxed preload must be CommonJS (Electron cannot load ESM preloads in a sandbox).
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [svelte()],
    resolve: {
      // vtk.js (inside Cornerstone) imports Node's 'events'; the browser needs the package.
      alias: { events: 'events' },
    },
    // The dicom-image-loader's decode worker is emitted as an ES module worker, and Vite
    // resolves its `new URL('<codec package>/decodewasm', import.meta.url)` references, so
    // every codec .wasm ships under assets/ and is fetched from the app's own origin
    // (CSP: worker-src 'self', script-src 'wasm-unsafe-eval').
    worker: { format: 'es' },
    optimizeDeps: {
      exclude: ['@cornerstonejs/dicom-image-loader'],
      include: ['dicom-parser'],
    },
    build: {
      target: 'es2022',
      assetsInlineLimit: 0,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
