import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigInvalid, loadLegacyConfig, parseLegacyConfig } from '../config';

const example = JSON.parse(readFileSync(new URL('../../../config/legacy.example.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('legacy configuration', () => {
  it('accepts the documented example and freezes the result', () => {
    const config = parseLegacyConfig(example);
    expect(config.municipalities.map((m) => m.code)).toEqual(['0101', '0751']);
    expect(Object.isFrozen(config.municipalities[0])).toBe(true);
  });

  it('lists every problem under CONFIG_INVALID, naming the bad entry', () => {
    const broken = {
      ...example,
      bbr: { url: 'not a url' },
      municipalities: [
        { code: '101', name: 'København', cvr: '64942212', esdh: { kind: 'rest-demo', url: 'http://x/' } },
        { code: '0751', name: 'Aarhus', cvr: '5513', esdh: { kind: 'acadre', url: 'http://y/' } },
      ],
    };
    let error: unknown;
    try {
      parseLegacyConfig(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalid);
    const issues = (error as ConfigInvalid).issues.join('\n');
    expect(issues).toMatch(/bbr\.url/);
    expect(issues).toMatch(/municipalities\.0\.code: must be a four-digit kommunekode/);
    expect(issues).toMatch(/municipalities\.1\.cvr/);
    expect(issues).toMatch(/municipalities\.1\.esdh\.kind/);
  });

  it('says what to set when LEGACY_CONFIG is missing or unreadable', () => {
    expect(() => loadLegacyConfig({})).toThrow(/LEGACY_CONFIG: set it/);
    expect(() => loadLegacyConfig({ LEGACY_CONFIG: '/nonexistent.json' })).toThrow(/cannot read/);
  });
});
