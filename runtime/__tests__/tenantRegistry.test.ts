import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../config';
import { tenantRegistryFile, type TenantRegistry, type Tenants } from '../tenantRegistry';

const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../config/tenants.example.json', import.meta.url)), 'utf8')) as {
  municipalities: { code: string; name: string; cvr: string; esdh: { kind: string; url: string } }[];
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

  it('refuses a bad file at start, naming every bad entry', () => {
    writeFileSync(path, JSON.stringify({ municipalities: [{ ...example.municipalities[0], code: '101' }, { ...example.municipalities[1], cvr: '5513', esdh: { kind: 'acadre', url: 'x' } }] }));
    let error: unknown;
    try {
      tenantRegistryFile(path, { watch: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalid);
    const issues = (error as ConfigInvalid).issues.join('\n');
    expect(issues).toMatch(/municipalities\.0\.code: must be a four-digit kommunekode/);
    expect(issues).toMatch(/municipalities\.1\.cvr: must be an eight-digit CVR number/);
    expect(issues).toMatch(/municipalities\.1\.esdh\.kind/);
    expect(issues).toMatch(/municipalities\.1\.esdh\.url/);
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
