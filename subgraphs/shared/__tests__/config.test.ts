import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigInvalid, loadLegacyConfig, parseLegacyConfig } from '../config';

const examplePath = fileURLToPath(new URL('../../../config/legacy.example.json', import.meta.url));
const example = JSON.parse(readFileSync(examplePath, 'utf8')) as Record<string, unknown>;

describe('legacy configuration', () => {
  it('accepts the documented example and freezes the result', () => {
    const config = parseLegacyConfig(example);
    expect(config.tenantRegistry).toBe('tenants.example.json');
    expect(Object.isFrozen(config.cpr)).toBe(true);
  });

  it('reads the tenant registry path relative to the file that names it', () => {
    const config = loadLegacyConfig({ LEGACY_CONFIG: examplePath });
    expect(config.tenantRegistry).toBe(fileURLToPath(new URL('../../../config/tenants.example.json', import.meta.url)));
  });

  it('lists every problem under CONFIG_INVALID, naming the bad entry', () => {
    const { tenantRegistry: _registry, ...withoutRegistry } = example;
    let error: unknown;
    try {
      parseLegacyConfig({ ...withoutRegistry, bbr: { url: 'not a url' }, timeoutMs: -1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalid);
    const issues = (error as ConfigInvalid).issues.join('\n');
    expect(issues).toMatch(/bbr\.url/);
    expect(issues).toMatch(/timeoutMs/);
    expect(issues).toMatch(/tenantRegistry/);
  });

  it('says what to set when LEGACY_CONFIG is missing or unreadable', () => {
    expect(() => loadLegacyConfig({})).toThrow(/LEGACY_CONFIG: set it/);
    expect(() => loadLegacyConfig({ LEGACY_CONFIG: '/nonexistent.json' })).toThrow(/cannot read/);
  });
});
