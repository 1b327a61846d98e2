/**
 * A municipality's own case-system vendor, plugged in by configuration alone: its module lives in
 * a folder of its own (test/fixtures/municipalVendor), the case subgraph's entry in the subgraph
 * list names it in `settings.vendors`, and a registry edit moves a municipality onto it while
 * everything runs. No file of the project's is changed for it. A bad vendor list stops the case
 * subgraph with every problem named.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../../runtime/config';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';
import { logMark, messagesSince } from '../support/logs';
import { eventually } from '../support/eventually';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const vendorModule = fileURLToPath(new URL('../fixtures/municipalVendor/vendor.ts', import.meta.url));

type ListJson = { supergraph: string; subgraphs: { name: string; sdl: string; start: { module: string }; settings?: Record<string, unknown> }[] };
type Registry = { municipalities: { code: string; esdh: Record<string, unknown> }[] };

/** The project's subgraph list, copied to `dir` with its paths absolute and the case subgraph's settings extended. */
function listWith(dir: string, caseSettings: Record<string, unknown>): string {
  const list = JSON.parse(readFileSync(join(projectRoot, 'subgraphs.json'), 'utf8')) as ListJson;
  list.supergraph = resolve(projectRoot, list.supergraph);
  for (const s of list.subgraphs) {
    s.sdl = resolve(projectRoot, s.sdl);
    s.start.module = resolve(projectRoot, s.start.module);
    if (s.name === 'case') s.settings = { ...s.settings, ...caseSettings };
  }
  const path = join(dir, 'subgraphs.json');
  writeFileSync(path, JSON.stringify(list, null, 2));
  return path;
}

describe('a vendor of the municipality\'s own, from configuration', () => {
  let stack: LocalStack;
  let dir: string;
  let original: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plugged-vendor-'));
    stack = await startLocalStack({ latencyMs: noLatency, devIdentityDir: dir, subgraphListPath: listWith(dir, { vendors: [vendorModule] }) });
    original = readFileSync(stack.tenantRegistryPath, 'utf8');
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const registry = (): Registry => JSON.parse(original) as Registry;
  const write = (value: unknown) => writeFileSync(stack.tenantRegistryPath, JSON.stringify(value, null, 2));
  const caseOf = (code: string) => {
    const person = sampleCitizens(stack.world).get(code)!;
    return stack.world.cases.get(stack.world.casesByParty.get(person.cpr)!.find((id) => stack.world.cases.get(id)!.municipalityCode === code)!)!;
  };
  const askDocuments = async (code: string) =>
    postGraphQL<{ case: { number: string; documents: { format: string | null }[] } }>(
      stack.gateway.url,
      'query($id: ID!) { case(id: $id) { number documents { format } } }',
      { id: caseOf(code).id },
      { authorization: `Bearer ${await stack.devIdentity!.mint({ role: 'caseworker', municipality: code, purpose: 'P-27' })}` },
    );

  it('serves a municipality moved onto it by a registry edit, through its module, and the others as before', async () => {
    const before = await askDocuments('0101');
    expect(before.body.errors).toBeUndefined();
    const formats = before.body.data!.case.documents.map((d) => d.format);
    expect(formats.length).toBeGreaterThan(0);
    expect(formats.every((f) => !f?.startsWith('egen: '))).toBe(true);

    const esdhUrl = stack.simulators.esdh.get('0101')!.url;
    write({ municipalities: registry().municipalities.map((m) => (m.code === '0101' ? { ...m, esdh: { kind: 'kommunens-egen', url: esdhUrl, label: 'egen' } } : m)) });
    const after = await eventually(() => askDocuments('0101'), (r) => r.body.data?.case.documents.some((d) => d.format?.startsWith('egen: ')) === true);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data!.case.documents.map((d) => d.format)).toEqual(formats.map((f) => `egen: ${f ?? ''}`));
    // Aarhus stays on the built-in vendor.
    const aarhus = await askDocuments('0751');
    expect(aarhus.body.errors).toBeUndefined();
    expect(aarhus.body.data!.case.documents.every((d) => !d.format?.startsWith('egen: '))).toBe(true);
  });

  it('reads the plugged vendor\'s entry with its own schema: a misspelt field is refused, naming the municipality and the field', async () => {
    const mark = logMark();
    write({
      municipalities: registry().municipalities.map((m) => (m.code === '0101' ? { ...m, esdh: { kind: 'kommunens-egen', url: 'http://esdh.kk.internal/', lable: 'egen' } } : m)),
    });
    const refused = await eventually(
      async () => messagesSince(mark).filter((line) => /registry change refused/.test(line)),
      (lines) => lines.length > 0,
    );
    expect(refused.join('\n')).toMatch(/municipality 0101.*esdh.*(label|lable)/s);
    write(original);
  });
});

describe('a bad vendor list', () => {
  it('stops the case subgraph at start with every problem named by its module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugged-vendor-bad-'));
    const noExport = join(dir, 'noExport.mjs');
    writeFileSync(noExport, 'export const somethingElse = 1;\n');
    const clash = join(dir, 'clash.mjs');
    writeFileSync(clash, "export const caseSystemVendor = { kind: 'rest-demo', product: 'a copy', entry: { safeParse: () => ({ success: false }) }, open: () => undefined };\n");
    try {
      const started = startLocalStack({
        latencyMs: noLatency,
        devIdentityDir: dir,
        subgraphListPath: listWith(dir, { vendors: [noExport, clash, join(dir, 'missing.ts')] }),
      });
      const error = await started.then(
        async (stack) => {
          await stack.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigInvalid);
      const issues = (error as ConfigInvalid).issues;
      expect(issues).toEqual([
        `${noExport}: exports no \`caseSystemVendor\` object`,
        `${clash}: the kind "rest-demo" is taken by a built-in vendor; give your vendor a kind of its own`,
        `${join(dir, 'missing.ts')}: no such module`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
