// Builds the static UI the daemon serves at `/`. In dev, `vite` proxies the
// RPC endpoint and the push channel to a daemon given by ARCHY_DAEMON_URL.
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const daemon = process.env['ARCHY_DAEMON_URL'] ?? 'http://127.0.0.1:7780';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The initial bundle is measured by the benchmarks: keep routes lazy and
    // let Rollup split vendor code per route.
    chunkSizeWarningLimit: 200,
  },
  server: {
    proxy: {
      '/rpc/v1/events': { target: daemon.replace(/^http/, 'ws'), ws: true },
      '/rpc/v1': { target: daemon },
    },
  },
});
