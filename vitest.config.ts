import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The libp2p stack calls Promise.withResolvers (Node 22+): polyfill before anything else loads.
    setupFiles: ['./src/polyfill.ts'],
    // Tests mint and exchange many throwaway identities: R24's identity work is off unless a test
    // sets it (test/identity-work.test.ts does); child processes inherit it.
    env: { HIVEBENCH_ID_WORK_BITS: '0' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks'
  }
})
