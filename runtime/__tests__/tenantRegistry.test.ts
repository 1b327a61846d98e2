import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseSystemEntrySchema, type CaseSystemEntry } from '../../adapters/esdh';
import { ConfigInvalid } from '../config';
import { tenantRegistryFile, type TenantRegistry, type Tenants } from '../tenantRegistry';

const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../config/tenants.example.json', import.meta.url)), 'utf8')) as {
  municipalities: { code: string; name: string; cvr: string; esdh: Record<string, unknown> }[];
};

let dir: string;
let path: string;
let registry: TenantRegistry | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenants-'));
  path = join(dir, 'tenants.json');
  writeFileSync(path, JSON.stringify(example));
});
afterEach(() => {
  registry?.close();
  registry = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The issues a refused registry is refused with. */
function refusal(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalid);
    return (error as ConfigInvalid).issues;
  }
  throw new Error('the registry was taken');
}

/** The next version taken into force, or the next refusal. */
const next = (r: TenantRegistry) =>
  new Promise<Tenants | ConfigInvalid>((resolve) => {
    const off = [r.onChange((t) => (off.forEach((f) => f()), resolve(t))), r.onRefused((e) => (off.forEach((f) => f()), resolve(e)))];
  });

describe('the tenant registry file', () => {
  it('reads the documented example: municipalities by code and by CVR', () => {
    registry = tenantRegistryFile(path, { watch: false });
    const tenants = registry.current();
    expect(tenants.version).toBe(1);
    expect(tenants.municipalities.map((m) => m.code)).toEqual(['0101', '0751', '0461']);
    expect(tenants.byCvr.get('55133018')?.code).toBe('0751');
    expect(Object.isFrozen(tenants.municipalities[0])).toBe(true);
  });

  it('refuses a bad file at start, naming every bad entry by its municipality and field', () => {
    writeFileSync(path, JSON.stringify({ municipalities: [{ ...example.municipalities[0], code: '101' }, { ...example.municipalities[1], cvr: '5513', esdh: { kind: 'rest-demo', url: 'x' } }] }));
    const issues = refusal(() => tenantRegistryFile(path, { watch: false, esdh: caseSystemEntrySchema }));
    expect(issues).toEqual([
      'municipality 101 at municipalities.0.code: must be a four-digit kommunekode',
      'municipality 0751 at municipalities.1.cvr: must be an eight-digit CVR number',
      'municipality 0751 at municipalities.1.esdh.url: must be the http(s) URL of the demo ESDH',
    ]);
  });

  it('refuses a municipality listed twice, or two sharing a CVR number', () => {
    writeFileSync(path, JSON.stringify({ municipalities: [...example.municipalities, example.municipalities[0], { ...example.municipalities[1], code: '0999' }] }));
    expect(() => tenantRegistryFile(path, { watch: false })).toThrow(/municipalities\.3\.code: municipality 0101 is listed twice[\s\S]*municipalities\.4\.cvr: CVR 55133018 is given to two municipalities/);
  });

  it('takes a changed file into force without a restart, also when an editor replaces the file', async () => {
    registry = tenantRegistryFile(path, { debounceMs: 20 });
    const added = next(registry);
    const vejle = { code: '0630', name: 'Vejle', cvr: '29189838', esdh: { kind: 'rest-demo', url: 'http://esdh.vejle.internal/' } };
    writeFileSync(path, JSON.stringify({ municipalities: [...example.municipalities, vejle] }));
    const v2 = (await added) as Tenants;
    expect(v2.version).toBe(2);
    expect(v2.byCode.get('0630')?.name).toBe('Vejle');
    expect(registry.current()).toBe(v2);

    const moved = next(registry);
    writeFileSync(join(dir, 'tenants.json.tmp'), JSON.stringify({ municipalities: [{ ...example.municipalities[0], esdh: { kind: 'rest-demo', url: 'http://esdh2.kk.internal/' } }] }));
    renameSync(join(dir, 'tenants.json.tmp'), path);
    const v3 = (await moved) as Tenants;
    expect(v3.version).toBe(3);
    expect(v3.municipalities.map((m) => m.code)).toEqual(['0101']);
    expect(v3.byCode.get('0101')?.esdh.url).toBe('http://esdh2.kk.internal/');
  });

  it('refuses an invalid change, naming the bad entry, and keeps the registry in force', async () => {
    registry = tenantRegistryFile(path, { debounceMs: 20 });
    const before = registry.current();
    const refused = next(registry);
    writeFileSync(path, JSON.stringify({ municipalities: [example.municipalities[0], { ...example.municipalities[1], code: 'Aarhus' }] }));
    const error = await refused;
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).message).toMatch(/municipalities\.1\.code: must be a four-digit kommunekode/);
    expect(registry.current()).toBe(before);

    const broken = next(registry);
    writeFileSync(path, '{ "municipalities": [');
    expect(((await broken) as ConfigInvalid).issues).toEqual(['the file is not valid JSON']);
    expect(registry.current()).toBe(before);
  });
});

describe('ESDH entries, read by the vendor table (as the case subgraph reads the registry)', () => {
  const odense = example.municipalities[2]!;
  const acadre = odense.esdh;
  const withOdense = (esdh: unknown) => writeFileSync(path, JSON.stringify({ municipalities: [example.municipalities[0], { ...odense, esdh }] }));
  const read = () => tenantRegistryFile<CaseSystemEntry>(path, { watch: false, esdh: caseSystemEntrySchema });

  it('takes the documented example: a demo REST ESDH and an Acadre v7 named by reference', () => {
    registry = read();
    expect(registry.current().byCode.get('0101')?.esdh).toEqual({ kind: 'rest-demo', url: 'http://esdh.kk.internal/' });
    expect(registry.current().byCode.get('0461')?.esdh).toEqual({
      kind: 'acadre-v7',
      endpoint: 'https://acadre.odense.internal/Acadre.CM.PublicServices/SoapAuth/AcadreServiceV7.asmx',
      credentials: { env: 'ACADRE_0461_CREDENTIALS' },
      actingForUser: 'kommunegraf',
    });
  });

  it('refuses a kind no vendor has, listing the known ones', () => {
    withOdense({ kind: 'soap', url: 'http://esdh.odense.internal/' });
    expect(refusal(read)).toEqual(['municipality 0461 at municipalities.1.esdh.kind: unknown case system kind "soap"; known kinds: rest-demo, acadre-v7']);
    withOdense({ url: 'http://esdh.odense.internal/' });
    expect(refusal(read)).toEqual(['municipality 0461 at municipalities.1.esdh.kind: must name the case system\'s kind: one of rest-demo, acadre-v7']);
  });

  it('refuses an Acadre without its endpoint, or with a field Acadre has none of', () => {
    const { endpoint: _endpoint, ...withoutEndpoint } = acadre;
    withOdense(withoutEndpoint);
    expect(refusal(read)).toEqual(['municipality 0461 at municipalities.1.esdh.endpoint: must be the http(s) URL of the installation\'s AcadreServiceV7.asmx']);
    withOdense({ ...acadre, endpont: 'https://typo.internal/' });
    expect(refusal(read)).toEqual(['municipality 0461 at municipalities.1.esdh: Unrecognized key: "endpont"']);
  });

  it('refuses a secret written in the registry, wherever it is put, without repeating it', () => {
    for (const [esdh, field] of [
      [{ ...acadre, credentials: { username: 'svc-graf', password: 'hunter2-secret' } }, 'esdh.credentials.password'],
      [{ ...acadre, password: 'hunter2-secret' }, 'esdh.password'],
      [{ ...acadre, credentials: { env: 'ACADRE_0461_CREDENTIALS' }, codes: { apiKey: 'hunter2-secret' } }, 'esdh.codes.apiKey'],
    ] as const) {
      withOdense(esdh);
      const issues = refusal(read);
      expect(issues).toEqual([`municipality 0461 at municipalities.1.${field}: a secret is never written in the tenant registry: give credentials as { "env": "VARIABLE" } or { "file": "path" }, naming where it is kept`]);
      expect(issues.join('\n')).not.toContain('hunter2');
    }
    withOdense({ ...acadre, credentials: 'svc-graf:hunter2-secret' });
    const inline = refusal(read);
    expect(inline).toEqual(['municipality 0461 at municipalities.1.esdh.credentials: must name where the secret is kept, { "env": "VARIABLE" } or { "file": "path" }, never hold it']);
    expect(inline.join('\n')).not.toContain('hunter2');
  });

  it('refuses a change of vendor that is not whole, and keeps the registry in force', async () => {
    registry = tenantRegistryFile<CaseSystemEntry>(path, { debounceMs: 20, esdh: caseSystemEntrySchema });
    const before = registry.current();
    const refused = next(registry);
    withOdense({ kind: 'rest-demo' });
    expect(((await refused) as ConfigInvalid).issues).toEqual(['municipality 0461 at municipalities.1.esdh.url: must be the http(s) URL of the demo ESDH']);
    expect(registry.current()).toBe(before);
    const moved = next(registry);
    withOdense({ kind: 'rest-demo', url: 'http://esdh.odense.internal/' });
    expect(((await moved) as Tenants<CaseSystemEntry>).byCode.get('0461')?.esdh).toEqual({ kind: 'rest-demo', url: 'http://esdh.odense.internal/' });
  });

  it('refuses a secret in the registry for every reader, the gateway too, which reads no vendor\'s fields', () => {
    withOdense({ kind: 'kmd-nova', login: { user: 'svc', password: 'hunter2-secret' } });
    const issues = refusal(() => tenantRegistryFile(path, { watch: false }));
    expect(issues).toEqual(['municipality 0461 at municipalities.1.esdh.login.password: a secret is never written in the tenant registry: give credentials as { "env": "VARIABLE" } or { "file": "path" }, naming where it is kept']);
    expect(issues.join('\n')).not.toContain('hunter2');
  });

  it('leaves the gateway\'s reading to names and CVR numbers: any kind is an entry, a missing kind is not', () => {
    withOdense({ kind: 'kmd-nova', anything: 1 });
    registry = tenantRegistryFile(path, { watch: false });
    expect(registry.current().byCode.get('0461')?.esdh.kind).toBe('kmd-nova');
    registry.close();
    withOdense({ url: 'x' });
    expect(refusal(() => tenantRegistryFile(path, { watch: false }))).toEqual(['municipality 0461 at municipalities.1.esdh.kind: must name the case system\'s kind']);
  });
});

describe('a municipality\'s own Serviceplatformen service agreement', () => {
  const agreement = {
    serviceAgreementUuid: 'aaaaaaaa-1111-4111-8111-111111111111',
    userSystemUuid: 'bbbbbbbb-2222-4222-8222-222222222222',
    userUuid: 'cccccccc-3333-4333-8333-333333333333',
  };
  const withAarhus = (entry: Record<string, unknown>) =>
    writeFileSync(path, JSON.stringify({ municipalities: [example.municipalities[0], { ...example.municipalities[1], ...entry }] }));
  const read = () => tenantRegistryFile(path, { watch: false });

  it('takes the documented example: one municipality with an agreement of its own, the others without', () => {
    registry = read();
    const withOwn = registry.current().municipalities.filter((m) => m.serviceplatformen);
    expect(withOwn.map((m) => m.code)).toEqual(['0751']);
    for (const uuid of Object.values(withOwn[0]!.serviceplatformen!)) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(registry.current().byCode.get('0101')?.serviceplatformen).toBeUndefined();
  });

  it('reads all three UUIDs, frozen with the entry', () => {
    withAarhus({ serviceplatformen: agreement });
    registry = read();
    expect(registry.current().byCode.get('0751')?.serviceplatformen).toEqual(agreement);
    expect(Object.isFrozen(registry.current().byCode.get('0751')?.serviceplatformen)).toBe(true);
  });

  it('refuses a UUID that is not one, or not in lower case, naming the municipality and the field', () => {
    withAarhus({ serviceplatformen: { ...agreement, serviceAgreementUuid: 'not-a-uuid', userUuid: agreement.userUuid.toUpperCase() } });
    expect(refusal(read)).toEqual([
      'municipality 0751 at municipalities.1.serviceplatformen.serviceAgreementUuid: must be a lower-case UUID',
      'municipality 0751 at municipalities.1.serviceplatformen.userUuid: must be a lower-case UUID',
    ]);
  });

  it('refuses an agreement with a part missing, naming it', () => {
    const { userSystemUuid: _userSystem, ...withoutUserSystem } = agreement;
    withAarhus({ serviceplatformen: withoutUserSystem });
    expect(refusal(read)).toEqual(['municipality 0751 at municipalities.1.serviceplatformen.userSystemUuid: must be a lower-case UUID']);
  });

  it('refuses a misspelt field, and a ServiceUUID, which names the service and stays in the legacy configuration', () => {
    withAarhus({ serviceplatformen: { ...agreement, userSystemUUID: agreement.userSystemUuid } });
    expect(refusal(read)).toEqual(['municipality 0751 at municipalities.1.serviceplatformen: Unrecognized key: "userSystemUUID"']);
    withAarhus({ serviceplatformen: { ...agreement, serviceUuid: '44444444-4444-4444-8444-444444444444' } });
    expect(refusal(read)).toEqual(['municipality 0751 at municipalities.1.serviceplatformen: Unrecognized key: "serviceUuid"']);
  });

  it('refuses a misspelt name for the agreement itself, rather than calling under the deployment\'s', () => {
    withAarhus({ serviceplatform: agreement });
    expect(refusal(read)).toEqual(['municipality 0751 at municipalities.1: Unrecognized key: "serviceplatform"']);
  });
});
