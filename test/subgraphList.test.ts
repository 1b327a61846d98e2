/**
 * Issue 12 part 3: the subgraphs are listed in one place, subgraphs.json, and everything that
 * needs the list reads it: compose (which refuses an SDL the list does not name instead of
 * skipping it), the gateway's configuration (which refuses SUBGRAPH_URL_<NAME> for a name nobody
 * knows), `npm start` and `npm run start:subgraph`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigInvalid, loadGatewayConfig } from '../gateway/config';
import { composeSupergraph, loadSubgraphList, SubgraphListInvalid, subgraphListPath, supergraphPath, supergraphSubgraphs } from '../schema';
import { projectMirror, type ProjectMirror } from './support/projectMirror';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'subgraph-list-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A list file in the test's folder; entries' paths absolute, so they reach the project's files. */
function listFile(name: string, list: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(list));
  return path;
}
const entry = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  sdl: join(root, 'schema/property.graphql'),
  url: 'http://localhost:4009/graphql',
  start: { module: join(root, 'subgraphs/property/index.ts'), export: 'startPropertySubgraph' },
  ...overrides,
});

describe('subgraphs.json', () => {
  it('lists the three built-in subgraphs, each with its SDL, default URL and start function', () => {
    const list = loadSubgraphList();
    expect(list.path).toBe(subgraphListPath);
    expect(list.supergraphPath).toBe(supergraphPath);
    expect(list.subgraphs.map((s) => [s.name, s.url, s.start.export])).toEqual([
      ['citizen', 'http://localhost:4001/graphql', 'startCitizenSubgraph'],
      ['case', 'http://localhost:4002/graphql', 'startCaseSubgraph'],
      ['property', 'http://localhost:4003/graphql', 'startPropertySubgraph'],
    ]);
    expect(Object.isFrozen(list.subgraphs[0])).toBe(true);
  });

  it('is what the committed supergraph was composed from: the same subgraphs at the same URLs', () => {
    const list = loadSubgraphList();
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(supergraphSubgraphs(readFileSync(supergraphPath, 'utf8')).sort(byName)).toEqual(list.subgraphs.map((s) => ({ name: s.name, url: s.url })).sort(byName));
  });

  it('is refused with every problem named: a bad name, a name twice, files that are not there, a missing field', () => {
    const path = listFile('bad.json', {
      subgraphs: [
        entry('Parking'),
        entry('twice'),
        entry('twice'),
        entry('lost', { sdl: '/nowhere/lost.graphql', start: { module: '/nowhere/lost.ts', export: 'start' } }),
        { name: 'nourl', sdl: 'x.graphql', start: { module: 'x.ts', export: 'start' } },
      ],
    });
    let error: unknown;
    try {
      loadSubgraphList(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SubgraphListInvalid);
    expect((error as SubgraphListInvalid).code).toBe('CONFIG_INVALID');
    // zod's problems come first, all of them; the file checks follow once the shape is right.
    expect((error as SubgraphListInvalid).issues).toEqual([
      expect.stringMatching(/^subgraphs\.0\.name: must be a lowercase identifier/),
      expect.stringMatching(/^subgraphs\.4\.url: /),
    ]);
    const shaped = listFile('files.json', { subgraphs: [entry('twice'), entry('twice'), entry('lost', { sdl: '/nowhere/lost.graphql', start: { module: '/nowhere/lost.ts', export: 'start' } })] });
    expect(() => loadSubgraphList(shaped)).toThrow(
      /the name twice is listed twice[\s\S]*subgraphs\.2 \(lost\)\.sdl: no file \/nowhere\/lost\.graphql[\s\S]*subgraphs\.2 \(lost\)\.start\.module: no file \/nowhere\/lost\.ts/,
    );
  });
});

describe('the gateway and SUBGRAPH_URL_<NAME>', () => {
  it('refuses a name that neither the list nor the supergraph knows, naming the known ones', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ SUBGRAPH_URL_PARKNG: 'http://parking.internal:4004/graphql', SUBGRAPH_URL_CITIZEN: 'http://cpr.internal:4001/graphql' }, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).issues).toEqual([
      `SUBGRAPH_URL_PARKNG: there is no subgraph named parkng; the known subgraphs are case, citizen, property (from the subgraph list ${subgraphListPath} and the supergraph ${supergraphPath})`,
    ]);
  });

  it('lists that refusal with every other problem', () => {
    expect(() => loadGatewayConfig({ SUBGRAPH_URL_NOPE: 'http://x:1/graphql', PORT: 'eighty' }, [])).toThrow(/SUBGRAPH_URL_NOPE: there is no subgraph named nope[\s\S]*port/);
  });

  it('takes a name of the list SUBGRAPHS_CONFIG names, and serves that list\'s supergraph', () => {
    const path = listFile('with-parking.json', { supergraph: join(dir, 'parking-supergraph.graphql'), subgraphs: [entry('property'), entry('parking')] });
    const config = loadGatewayConfig({ SUBGRAPHS_CONFIG: path, SUBGRAPH_URL_PARKING: 'http://parking.internal:4004/graphql' }, []);
    expect(config).toMatchObject({ subgraphListPath: path, supergraphPath: join(dir, 'parking-supergraph.graphql'), subgraphUrls: { parking: 'http://parking.internal:4004/graphql' } });
    // --supergraph still decides over the list's.
    expect(loadGatewayConfig({ SUBGRAPHS_CONFIG: path }, ['--supergraph', '/other.graphql']).supergraphPath).toBe('/other.graphql');
  });

  it('refuses a list SUBGRAPHS_CONFIG names that is not a valid list', () => {
    expect(() => loadGatewayConfig({ SUBGRAPHS_CONFIG: join(dir, 'missing.json') }, [])).toThrow(/SUBGRAPHS_CONFIG: CONFIG_INVALID: the subgraph list .*missing\.json is invalid:\n- cannot be read/);
  });
});

describe('the commands read the list', () => {
  let mirror: ProjectMirror;
  beforeAll(() => {
    mirror = projectMirror();
  });
  afterAll(() => mirror.remove());

  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', script), ...args], { cwd: mirror.root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });

  it('npm run compose refuses an SDL file the list does not name, instead of skipping it', () => {
    writeFileSync(join(mirror.root, 'schema', 'parking.graphql'), 'type Query { permits: [String] }\n');
    const result = run('compose.ts', ['--config', join(mirror.root, 'subgraphs.json')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('schema/parking.graphql: not in the subgraph list subgraphs.json, so not composed. Add it there (npm run new-subgraph -- NAME writes a subgraph and its entry) or remove the file.');
    rmSync(join(mirror.root, 'schema', 'parking.graphql'));
    // Without it, compose writes the list's supergraph: the committed one.
    const composed = run('compose.ts', [], { SUBGRAPHS_CONFIG: join(mirror.root, 'subgraphs.json') });
    expect(composed.status, composed.stderr).toBe(0);
    expect(readFileSync(join(mirror.root, 'schema', 'supergraph.graphql'), 'utf8')).toBe(composeSupergraph());
  });

  it('npm run start:subgraph names the listed subgraphs when asked for another (exit 2)', () => {
    const result = run('start-subgraph.ts', ['parking'], { SUBGRAPHS_CONFIG: join(mirror.root, 'subgraphs.json') });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`no subgraph named parking in ${join(mirror.root, 'subgraphs.json')}`);
    expect(result.stderr).toContain('usage: npm run start:subgraph -- <citizen|case|property>');
  });
});
