import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The libp2p stack calls Promise.withResolvers (Node 22+): polyfill before anything else loads.
    setupFiles: ['./src/polyfill.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks'
  }
})
