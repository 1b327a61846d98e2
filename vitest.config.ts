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
    // Redis; start them when they are down. Embedded stores start from one dump made per run.
    // The log witness's folder, checked as a whole after the run (test/support/logWitnessRun.ts).
    globalSetup: ['test/support/ensurePostgres.ts', 'test/support/ensureRedis.ts', 'test/support/pgliteTemplate.ts', 'test/support/logWitnessRun.ts'],
    // Every answer that carried personal data, in every test, must have its access record; no
    // log line of any test may hold a CPR number, a name or address of the world, or a token.
    setupFiles: ['test/support/keepAlive.ts', 'test/support/disclosureWitness.ts', 'test/support/logWitness.ts'],
    exclude: ['node_modules/**', 'bench/**'],
    // Suites start real HTTP servers on ephemeral ports; two cores, so keep forks modest.
    pool: 'forks',
    // Files share their worker's module cache: each file importing Apollo, graphql and the stack
    // anew cost 43 s of the suite's CPU. What a module keeps must therefore not carry one file's
    // doings into the next: the seeded world is built once per process, and each local stack
    // writes into a copy of it (forkWorld).
    isolate: false,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { APOLLO_TELEMETRY_DISABLED: '1' },
  },
});
