import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node, and so `npm start`, loads the CJS build
    // for our code and Apollo's alike; Vite would pick the ESM build for our code only, giving two
    // graphql realms ("Cannot use GraphQLSchema from another module or realm"). Match Node.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['**/*.test.ts'],
    // The audit trail's tests run against the PostgreSQL server too, and the replay store's against
    // Redis; start them when they are down.
    globalSetup: ['test/support/ensurePostgres.ts', 'test/support/ensureRedis.ts'],
    // Every answer that carried personal data, in every test, must have its access record.
    setupFiles: ['test/support/disclosureWitness.ts'],
    exclude: ['node_modules/**', 'bench/**'],
    // Suites start real HTTP servers on ephemeral ports; two cores, so keep forks modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { APOLLO_TELEMETRY_DISABLED: '1' },
  },
});
