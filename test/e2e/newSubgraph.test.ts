/**
 * Issue 12 part 3: a municipality's own subgraph from `npm run new-subgraph -- NAME`, written into
 * a throwaway copy of the project (test/support/projectMirror.ts) so the project keeps no
 * generated subgraph. Made, it is in the one list of subgraphs; composed, started by the same code
 * as `npm start`, it answers through the gateway, refuses calls without the gateway's internal
 * token, and its accesses are on the trail. Its own generated tests pass.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../audit';
import { composeSupergraph, formatCpr, loadSubgraphList, unlistedSdlFiles, type SubgraphList } from '../../schema';
import { nameProblem, NewSubgraphRefused, newSubgraph } from '../../scripts/newSubgraph';
import { generateResolverTypes, resolverTypesInput, resolverTypesPath } from '../../scripts/resolverTypes';
import { sampleCitizens } from '../../simulators/data/samples';
import { projectMirror, type ProjectMirror } from '../support/projectMirror';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';

const projectRoot = new URL('../..', import.meta.url).pathname;

describe('npm run new-subgraph: the name', () => {
  let mirror: ProjectMirror;
  beforeAll(() => {
    mirror = projectMirror();
  });
  afterAll(() => mirror.remove());

  it.each([
    ['Parking', /"Parking" is not a subgraph name: use a lowercase identifier/],
    ['parking-permits', /not a subgraph name/],
    ['9lives', /not a subgraph name/],
    ['parking__permits', /not a subgraph name/],
    ['', /not a subgraph name/],
    ['case', /a subgraph named case is listed already \(citizen, case, property\)/],
    ['shared', /shared is the name of a part of the project/],
  ])('refuses %j with exit code 2 and says why, writing nothing', async (name, message) => {
    const before = readFileSync(join(mirror.root, 'subgraphs.json'), 'utf8');
    let error: unknown;
    try {
      await newSubgraph({ name, root: mirror.root });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NewSubgraphRefused);
    expect((error as NewSubgraphRefused).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect(readFileSync(join(mirror.root, 'subgraphs.json'), 'utf8')).toBe(before);
  });

  it('accepts lowercase identifiers with single underscores', () => {
    expect(nameProblem('parking', [])).toBeUndefined();
    expect(nameProblem('parking_permits2', [])).toBeUndefined();
  });

  it('refuses to overwrite a file that is there (exit 1)', async () => {
    writeFileSync(join(mirror.root, 'schema', 'library.graphql'), '# somebody else\'s\n');
    await expect(newSubgraph({ name: 'library', root: mirror.root })).rejects.toThrow(/schema\/library\.graphql exists already/);
  });
});

describe('a subgraph made by new-subgraph', () => {
  let mirror: ProjectMirror;
  let list: SubgraphList;
  let stack: AuthedStack;
  const NAME = 'parking';

  beforeAll(async () => {
    mirror = projectMirror();
    await newSubgraph({ name: NAME, root: mirror.root });
    list = loadSubgraphList(join(mirror.root, 'subgraphs.json'));
    // What `npm run compose` does, into the copy's supergraph.
    writeFileSync(list.supergraphPath, composeSupergraph(list));
    stack = await startAuthedStack({ audit: true, subgraphListPath: list.path });
  });
  afterAll(async () => {
    await stack?.close();
    mirror?.remove();
  });

  const recordId = (cpr: string) => `${NAME}-${createHash('sha256').update(cpr).digest('hex').slice(0, 12)}`;

  it('is written into its own folder, with its SDL and tests, and listed with the others', () => {
    for (const file of ['schema/parking.graphql', 'subgraphs/parking/index.ts', 'subgraphs/parking/resolvers.ts', 'subgraphs/parking/parents.ts', 'subgraphs/parking/generated/resolvers.ts', 'subgraphs/parking/source.ts', 'subgraphs/parking/README.md', 'subgraphs/parking/__tests__/parking.test.ts']) {
      expect(existsSync(join(mirror.root, file)), file).toBe(true);
    }
    expect(list.names).toEqual(['citizen', 'case', 'property', 'parking']);
    expect(list.byName(NAME)).toMatchObject({ url: 'http://localhost:4004/graphql', scopes: ['parking:read'], start: { export: 'startParkingSubgraph' } });
    expect(unlistedSdlFiles(list)).toEqual([]);
    // The project itself is untouched.
    expect(loadSubgraphList().names).toEqual(['citizen', 'case', 'property']);
    expect(existsSync(join(projectRoot, 'subgraphs', NAME))).toBe(false);
  });

  it('composes: the supergraph has Citizen.parkingRecords, declared personal with its grants', () => {
    const sdl = readFileSync(list.supergraphPath, 'utf8');
    expect(sdl).toMatch(/join__graph\(name: "parking", url: "http:\/\/localhost:4004\/graphql"\)/);
    expect(sdl).toMatch(/parkingRecords: \[ParkingRecord!\][^\n]*@access\(roles: \["caseworker", "citizen"\], scopes: \[\["parking:read"\]\]\)/);
  });

  it('starts with the others and answers through the gateway, beside the citizen subgraph\'s fields', async () => {
    expect(stack.subgraphs.map((s) => s.name).sort()).toEqual(['case', 'citizen', 'parking', 'property']);
    const person = sampleCitizens(stack.world).get('0101')!;
    const { status, body } = await stack.ask(
      await stack.mint.caseworker('0101', { sub: 'kw-parking' }),
      'query Parking($cpr: CPR!) { citizen(cpr: $cpr) { name { full } parkingRecords { id title validFrom } } }',
      { cpr: formatCpr(person.cpr) },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen).toEqual({
      name: { full: expect.stringContaining(person.familyName) },
      parkingRecords: [{ id: recordId(person.cpr), title: 'Sample parking record', validFrom: '2026-01-01' }],
    });
  });

  it('its accesses are on the trail: the citizen\'s record names the parking fields and the parking system', async () => {
    const person = sampleCitizens(stack.world).get('0751')!;
    const before = (await stack.trail!.verify()).records;
    const { body } = await stack.ask(
      await stack.mint.caseworker('0751', { sub: 'kw-parking-trail' }),
      'query ParkingTrail($cpr: CPR!) { citizen(cpr: $cpr) { parkingRecords { id title } } }',
      { cpr: formatCpr(person.cpr) },
    );
    expect(body.errors).toBeUndefined();
    const records = (await stack.trail!.find({})).slice(before);
    expect(records).toEqual([
      expect.objectContaining({
        subject: subjectHash(stack.subjectKey!, person.cpr),
        fields: ['Citizen.parkingRecords', 'ParkingRecord.id', 'ParkingRecord.title', 'Query.citizen'],
        // CPR is asked whether the citizen exists (Query.citizen); the records come from the parking system.
        systems: ['cpr', 'parking'],
        outcome: 'ok',
        actor: 'kw-parking-trail',
        tenant: '0751',
        operationName: 'ParkingTrail',
      }),
    ]);
  });

  it('refuses the records to a service without parking:read, at the field, and the refusal is on the trail', async () => {
    const person = sampleCitizens(stack.world).get('0461')!;
    const before = (await stack.trail!.verify()).records;
    const { body } = await stack.ask(await stack.mint.service('personal-data:read', { sub: 'svc-parking' }), 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } parkingRecords { id } } }', {
      cpr: formatCpr(person.cpr),
    });
    expect(body.data?.citizen.parkingRecords).toBeNull();
    expect(body.errors?.map((e) => [e.path, e.extensions?.['code'], e.message])).toEqual([
      [['citizen', 'parkingRecords'], 'FORBIDDEN', 'Not authorized to read Citizen.parkingRecords: it needs the role caseworker or the role citizen or the scope parking:read.'],
    ]);
    const [record] = (await stack.trail!.find({})).slice(before);
    expect(record).toMatchObject({ denied: ['Citizen.parkingRecords'], outcome: 'partial' });
    expect(record!.systems).not.toContain('parking');
  });

  it('refuses a call without the gateway\'s internal token, _service included', async () => {
    const url = stack.subgraphs.find((s) => s.name === NAME)!.url;
    const person = sampleCitizens(stack.world).get('0101')!;
    for (const [query, variables] of [
      ['query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { parkingRecords { id } } } }', { r: [{ __typename: 'Citizen', cpr: formatCpr(person.cpr) }] }],
      ['{ _service { sdl } }', {}],
    ] as const) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      expect(response.status).toBe(401);
      expect(await response.text()).toMatch(/UNAUTHENTICATED.*no internal token|no internal token.*UNAUTHENTICATED/);
    }
  });

  it('its resolvers are typed by resolver types generated from its SDL, as npm run codegen writes them, and typecheck', async () => {
    const entry = list.byName(NAME)!;
    const written = readFileSync(resolverTypesPath(entry), 'utf8');
    expect(written).toMatch(/^\/\/ Generated by `npm run codegen`/);
    expect(written).toMatch(/ParkingRecord: ParkingRecordParent/);
    expect(written).toBe(await generateResolverTypes(resolverTypesInput(entry, list)));
    expect(readFileSync(join(mirror.root, 'subgraphs/parking/resolvers.ts'), 'utf8')).toMatch(/\): Resolvers \{/);
    // tsc over the new subgraph alone (it follows the imports), with the project's compiler options.
    writeFileSync(
      join(mirror.root, 'tsconfig.parking.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['subgraphs/parking'] }),
    );
    const run = spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.parking.json', '--noEmit'], {
      cwd: mirror.root,
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  }, 120_000);

  it('its generated tests pass (vitest in the copy, one child process)', () => {
    // The project's vitest.config.ts starts PostgreSQL, Redis and a PGlite template for the whole
    // suite; the generated tests need none of it, only the one graphql build.
    writeFileSync(
      join(mirror.root, 'vitest.generated.config.ts'),
      `import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
const require = createRequire(import.meta.url);
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: { include: ['subgraphs/${NAME}/**/*.test.ts'], pool: 'forks', maxWorkers: 1, env: { APOLLO_TELEMETRY_DISABLED: '1' } },
});
`,
    );
    const run = spawnSync(process.execPath, [join(projectRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.generated.config.ts'], {
      cwd: mirror.root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_ENV: 'test', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+5 passed/);
  });
});

describe('a subgraph made by new-subgraph goes live on a running gateway', () => {
  let mirror: ProjectMirror;
  let stack: AuthedStack;

  beforeAll(async () => {
    mirror = projectMirror();
    await newSubgraph({ name: 'parking', root: mirror.root });
    // Listed and started, but the gateway serves the supergraph in force, composed before it.
    stack = await startAuthedStack({ subgraphListPath: join(mirror.root, 'subgraphs.json') });
  });
  afterAll(async () => {
    await stack?.close();
    mirror?.remove();
  });

  it('is served once the new supergraph is composed, with no failed request during the switch', async () => {
    const list = loadSubgraphList(join(mirror.root, 'subgraphs.json'));
    const person = sampleCitizens(stack.world).get('0101')!;
    const token = await stack.mint.caseworker('0101', { sub: 'kw-live' });
    const parking = 'query Parking($cpr: CPR!) { citizen(cpr: $cpr) { parkingRecords { title } } }';
    const before = await stack.ask(token, parking, { cpr: formatCpr(person.cpr) });
    expect(before.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');

    // Clients keep asking what was there before, all through the switch.
    let asking = true;
    const answers: { status: number; errors: unknown }[] = [];
    const client = (async () => {
      while (asking) {
        const { status, body } = await stack.ask(token, 'query Name($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }', { cpr: formatCpr(person.cpr) });
        answers.push({ status, errors: body.errors });
      }
    })();
    // What `npm run compose` does: the new supergraph written beside and renamed over the one in force.
    writeFileSync(`${list.supergraphPath}.new`, composeSupergraph(list));
    renameSync(`${list.supergraphPath}.new`, list.supergraphPath);
    let after = await stack.ask(token, parking, { cpr: formatCpr(person.cpr) });
    for (const until = Date.now() + 10_000; after.body.errors && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
      after = await stack.ask(token, parking, { cpr: formatCpr(person.cpr) });
    }
    // A few more answers on the new supergraph before the clients stop.
    const served = answers.length;
    while (answers.length < served + 5) await new Promise((r) => setTimeout(r, 20));
    asking = false;
    await client;

    expect(after.body.errors).toBeUndefined();
    expect(after.body.data?.citizen).toEqual({ parkingRecords: [{ title: 'Sample parking record' }] });
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status !== 200 || a.errors !== undefined)).toEqual([]);
  });
});
