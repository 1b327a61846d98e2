/**
 * Issue 12 part 4: `npm run check-subgraph` composes a candidate with the listed subgraphs and
 * says, in plain words and by its exit code, what would stop it going live: composition errors,
 * breaking changes against the supergraph in force, personal data without @access, and roles or
 * scopes that do not exist. In process (`checkSubgraph`), and once as the command a developer runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalTokenVerifier, generateInternalTokenKeys } from '../runtime/internalToken';
import { subgraphSdl } from '../schema/subgraphs';
import { checkSubgraph, PERSONAL_MEANS } from '../scripts/checkSubgraph';
import { newSubgraph } from '../scripts/newSubgraph';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/shared/subgraphServer';
import { projectMirror, type ProjectMirror } from './support/projectMirror';

const root = fileURLToPath(new URL('..', import.meta.url));
const LINKS = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://specs.kommune-graph.dk/access/v1.0", import: ["@access"])
  @composeDirective(name: "@access")
"A CPR number." scalar CPR
`;
const property = readFileSync(join(root, 'schema/property.graphql'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'check-subgraph-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sdlFile(name: string, text: string): string {
  const path = join(dir, `${name}.graphql`);
  writeFileSync(path, text);
  return path;
}
const check = async (...argv: string[]) => {
  const result = await checkSubgraph(argv, {});
  return { ...result, text: result.lines.join('\n') };
};

describe('check-subgraph reports, with exit code 1', () => {
  it('a composition error: a new subgraph that also resolves Query.address', async () => {
    const file = sdlFile('clash', `${LINKS}"Root." type Query { "Clash." address(id: ID!): String }`);
    const { exitCode, text } = await check('--name', 'parking', '--sdl', file);
    expect(exitCode).toBe(1);
    expect(text).toContain('Checking the subgraph parking: a new subgraph');
    expect(text).toContain('Composition: FAILS with 2 errors:\n  - [FIELD_TYPE_MISMATCH] Type of field "Query.address" is incompatible across subgraphs: it has type "String" in subgraph "parking" but type "Address" in subgraph "property"');
    expect(text).toContain('  - [INVALID_FIELD_SHARING] Non-shareable field "Query.address" is resolved from multiple subgraphs: it is resolved from subgraphs "parking" and "property"');
    expect(text).toContain('Breaking changes: not checked, since it does not compose.');
    expect(text).toMatch(/Result: NOT compatible: 2 findings\./);
  });

  it('an SDL that does not parse, as a composition failure', async () => {
    const { exitCode, text } = await check('--name', 'parking', '--sdl', sdlFile('broken', 'type Query {'));
    expect(exitCode).toBe(1);
    expect(text).toMatch(/Composition: FAILS\. The SDL does not parse:\n {2}- Syntax Error/);
  });

  it('breaking changes against the supergraph in force: a removed field, a retyped field, a new required argument', async () => {
    const next = property
      .replace(/\s+"Number of floors\."\s+floors: Int/, '')
      .replace('yearBuilt: Int', 'yearBuilt: String')
      .replace('address("The address\'s DAR id (UUID)." id: ID!): Address', 'address("The address\'s DAR id (UUID)." id: ID!, "Which register." register: String!): Address');
    expect(next).not.toBe(property);
    const { exitCode, text } = await check('--name', 'property', '--sdl', sdlFile('property-next', next));
    expect(exitCode).toBe(1);
    expect(text).toContain('Checking the subgraph property: a new version of the one');
    expect(text).toContain('Composition: it composes with the other subgraphs.');
    expect(text).toMatch(/Breaking changes: 3 against the supergraph in force; clients that use these would fail:/);
    expect(text).toMatch(/- Field 'floors' .*was removed from object type 'Building' \(Building\.floors\)/);
    expect(text).toMatch(/- Field 'Building\.yearBuilt' changed type from 'Int' to 'String' \(Building\.yearBuilt\)/);
    expect(text).toMatch(/- Argument 'register: String!' added to field 'Query\.address' \(Query\.address\.register\)/);
    expect(text).toMatch(/Result: NOT compatible: 3 findings\./);
  });

  it('fields that return personal data without @access, saying why each is personal and what personal means here', async () => {
    const file = sdlFile(
      'undeclared',
      `${LINKS}
"Root." type Query { "Who holds a permit." permitHolder("Permit." id: ID!): Citizen  "Permits of a person." permits("Whose." holder: CPR!): [Permit!] }
"A citizen." type Citizen @key(fields: "cpr") { "CPR." cpr: CPR! "Permits." parkingPermits: [Permit!] }
"A permit." type Permit { "Id." id: ID! "The holder's CPR number." holderCpr: CPR }`,
    );
    const { exitCode, text } = await check('--name', 'parking', '--sdl', file);
    expect(exitCode).toBe(1);
    expect(text).toContain('Composition: it composes with the other subgraphs.');
    expect(text).toContain('Personal data without @access: 5 fields:');
    for (const line of [
      'Query.permitHolder returns Citizen, which the graph marks personal, but neither it nor Query declares @access(personal: true)',
      'Query.permits takes a CPR number (argument holder), but neither it nor Query declares @access(personal: true)',
      'Citizen.cpr is a field of Citizen, which the graph marks personal, but neither it nor Citizen declares @access(personal: true)',
      'Citizen.parkingPermits is a field of Citizen, which the graph marks personal, but neither it nor Citizen declares @access(personal: true)',
      'Permit.holderCpr returns a CPR number, but neither it nor Permit declares @access(personal: true)',
    ]) expect(text).toContain(`  - ${line}`);
    expect(text).toContain(PERSONAL_MEANS);
    expect(text).toMatch(/Result: NOT compatible: 5 findings\./);
  });

  it('@access roles and scopes that do not exist', async () => {
    const file = sdlFile(
      'unknown-grants',
      `${LINKS}
"A citizen." type Citizen @key(fields: "cpr") @access(personal: true) {
  "CPR." cpr: CPR!
  "Permits." parkingPermits: [String!] @access(roles: ["caseworker", "warden"], scopes: [["parking:read"], ["cases:read"]])
}`,
    );
    const { exitCode, text } = await check('--name', 'parking', '--sdl', file);
    expect(exitCode).toBe(1);
    expect(text).toContain('Personal data without @access: none.');
    expect(text).toContain('Roles and scopes in @access that do not exist: 2:');
    expect(text).toContain('  - Citizen.parkingPermits: @access names the role "warden", which does not exist; the roles are auditor, caseworker, citizen, service');
    expect(text).toMatch(/ {2}- Citizen\.parkingPermits: @access names the scope "parking:read", which no subgraph declares; if the identity provider issues it, declare it under "scopes" of parking's entry in .*subgraphs\.json/);
    expect(text).toMatch(/Result: NOT compatible: 2 findings\./);
  });
});

describe('check-subgraph passes, with exit code 0', () => {
  it('a compatible change: a field added to a subgraph the list names', async () => {
    const next = property.replace('  "Number of floors."\n  floors: Int\n', '  "Number of floors."\n  floors: Int\n  "Energy label (energimærke), A2020 to G."\n  energyLabel: String\n');
    expect(next).not.toBe(property);
    const { exitCode, text } = await check('--name', 'property', '--sdl', sdlFile('property-added', next));
    expect({ exitCode, text }).toMatchObject({ exitCode: 0 });
    expect(text).toContain('Breaking changes: none against the supergraph in force.');
    expect(text).toMatch(/Other changes \(2 changes, safe for clients\):\n {2}- Field 'energyLabel' was added to object type 'Building' \(Building\.energyLabel\)/);
    expect(text).toContain('Result: compatible. property composes, breaks nothing clients use, declares its personal data, and names only roles and scopes that exist.');
  });

  it('every subgraph the project lists, as it is', async () => {
    for (const name of ['citizen', 'case', 'property']) {
      const { exitCode, text } = await check('--name', name, '--sdl', join(root, `schema/${name}.graphql`));
      expect(exitCode, text).toBe(0);
    }
  });

  describe('a subgraph new-subgraph made, in a copy of the project', () => {
    let mirror: ProjectMirror;
    beforeAll(async () => {
      mirror = projectMirror();
      await newSubgraph({ name: 'parking', root: mirror.root });
    });
    afterAll(() => mirror.remove());

    it('is a compatible new subgraph: its scope is declared in the list it was added to', async () => {
      const { exitCode, text } = await check('--name', 'parking', '--sdl', join(mirror.root, 'schema/parking.graphql'), '--config', join(mirror.root, 'subgraphs.json'));
      expect(exitCode, text).toBe(0);
      expect(text).toContain('Breaking changes: none against the supergraph in force.');
      expect(text).toMatch(/- Field 'parkingRecords' was added to object type 'Citizen' \(Citizen\.parkingRecords\)/);
      expect(text).toMatch(/scopes: cases:read, cpr:relations, documents:read, nemkonto:read, parking:read, personal-data:read, sickness-benefits:report\)/);
    });
  });
});

describe('check-subgraph --url: the SDL from a running subgraph', () => {
  let subgraph: RunningSubgraph;
  let keyFile: string;
  let keys: Awaited<ReturnType<typeof generateInternalTokenKeys>>;
  beforeAll(async () => {
    keys = await generateInternalTokenKeys();
    keyFile = join(dir, 'gateway.private.jwk.json');
    writeFileSync(keyFile, JSON.stringify(keys.privateJwk));
    subgraph = await startSubgraph(
      { name: 'property', typeDefs: subgraphSdl('property'), resolvers: {} },
      { internalTokens: await createInternalTokenVerifier(keys.publicJwk, { subgraph: 'property' }), port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(() => subgraph?.close());

  it('asks { _service { sdl } } with a token signed by the gateway\'s key, and checks what it got', async () => {
    const { exitCode, text } = await check('--name', 'property', '--url', subgraph.url, '--key', keyFile);
    expect(exitCode, text).toBe(0);
    expect(text).toContain(`from ${subgraph.url}.`);
  });

  it('without the key, says the subgraph answers only the gateway (exit 2)', async () => {
    const { exitCode, text } = await check('--name', 'property', '--url', subgraph.url);
    expect(exitCode).toBe(2);
    expect(text).toContain(`${subgraph.url} did not give its SDL (subgraphs answer the gateway only: no internal token): subgraphs answer only the gateway; give --key FILE`);
  });

  /** A tiny subgraph over HTTP serving `typeDefs` (no resolvers: only its SDL is asked for), answering the gateway's key; closed after `use`. */
  async function serving<T>(name: string, typeDefs: string, use: (url: string) => Promise<T>): Promise<T> {
    const running = await startSubgraph(
      { name, typeDefs, resolvers: {} },
      { internalTokens: await createInternalTokenVerifier(keys.publicJwk, { subgraph: name }), port: 0, host: '127.0.0.1' },
    );
    try {
      return await use(running.url);
    } finally {
      await running.close();
    }
  }

  it('a running property that no longer has Building.floors: exit 1, the breaking change named in plain words', async () => {
    const next = subgraphSdl('property').replace(/\s+"Number of floors\."\s+floors: Int/, '');
    expect(next).not.toBe(subgraphSdl('property'));
    const { exitCode, text, url } = await serving('property', next, async (url) => ({ ...(await check('--name', 'property', '--url', url, '--key', keyFile)), url }));
    expect(exitCode, text).toBe(1);
    expect(text).toContain(`Checking the subgraph property: a new version of the one `);
    expect(text).toContain(`from ${url}.`);
    expect(text).toContain('Composition: it composes with the other subgraphs.');
    expect(text).toContain('Breaking changes: 1 against the supergraph in force; clients that use these would fail:');
    expect(text).toMatch(/\n {2}- Field 'floors' .*was removed from object type 'Building' \(Building\.floors\)/);
    expect(text).toContain('Personal data without @access: none.');
    expect(text).toContain('Result: NOT compatible: 1 finding.');
  });

  it('a running new subgraph with CPR numbers and no @access: exit 1, each field named with why it is personal', async () => {
    const sdl = `${LINKS}
"Root." type Query { "Permits of a person." permits("Whose." holder: CPR!): [Permit!] }
"A permit." type Permit { "Id." id: ID! "The holder's CPR number." holderCpr: CPR }`;
    const { exitCode, text, url } = await serving('parking', sdl, async (url) => ({ ...(await check('--name', 'parking', '--url', url, '--key', keyFile)), url }));
    expect(exitCode, text).toBe(1);
    expect(text).toContain(`Checking the subgraph parking: a new subgraph, from ${url}.`);
    expect(text).toContain('Composition: it composes with the other subgraphs.');
    expect(text).toContain('Personal data without @access: 2 fields:');
    expect(text).toContain('  - Query.permits takes a CPR number (argument holder), but neither it nor Query declares @access(personal: true)');
    expect(text).toContain('  - Permit.holderCpr returns a CPR number, but neither it nor Permit declares @access(personal: true)');
    expect(text).toContain(PERSONAL_MEANS);
    expect(text).toContain('Result: NOT compatible: 2 findings.');
  });
});

describe('check-subgraph refuses bad arguments with exit code 2', () => {
  it.each([
    [[], '--name is required'],
    [['--name', 'parking'], 'give exactly one of --sdl FILE and --url URL'],
    [['--name', 'parking', '--sdl', 'a.graphql', '--url', 'http://x/graphql'], 'give exactly one of --sdl FILE and --url URL'],
    [['--name', 'Parking', '--sdl', 'a.graphql'], '--name Parking: a subgraph name is a lowercase identifier'],
    [['--name', 'parking', '--sdl'], '--sdl needs a value'],
    [['--name', 'parking', '--sdl', 'a.graphql', '--force'], 'unknown argument --force'],
    [['--name', 'parking', '--url', 'ftp://x'], '--url ftp://x: not an http(s) URL'],
    [['--name', 'parking', '--sdl', '/nowhere/parking.graphql'], 'ENOENT'],
  ])('%j', async (argv, message) => {
    const { exitCode, text } = await check(...argv);
    expect(exitCode).toBe(2);
    expect(text).toContain(message);
  });
});

describe('npm run check-subgraph as a developer runs it', () => {
  it('prints the report and exits 1 on a finding', () => {
    const file = sdlFile('cli', `${LINKS}"A citizen." type Citizen @key(fields: "cpr") @access(personal: true) { "CPR." cpr: CPR! "Permits." permits: [String!] @access(roles: ["warden"]) }`);
    const run = spawnSync('npm', ['run', '--silent', 'check-subgraph', '--', '--name', 'parking', '--sdl', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('@access names the role "warden", which does not exist');
    expect(run.stdout).toContain('Result: NOT compatible: 1 finding.');
  });
});
