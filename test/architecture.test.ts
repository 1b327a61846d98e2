/**
 * The layout in ARCHITECTURE.md as a test: which folder's source may import which. Test files
 * (`__tests__/`, `*.test.ts`) are exempt, as are scripts/, bench/ and test/, which may import all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** For a file's folder, the folders its imports may reach (besides packages from node_modules). */
function allowedFor(file: string): string[] | undefined {
  const [top, second] = file.split('/');
  switch (top) {
    case 'schema': return ['schema/'];
    case 'runtime': return ['runtime/'];
    case 'simulators': return ['simulators/'];
    case 'audit': return ['audit/', 'runtime/'];
    case 'gateway': return ['gateway/', 'schema/', 'audit/', 'runtime/'];
    case 'subgraphs': return ['subgraphs/', 'adapters/', 'schema/', 'runtime/'];
    case 'adapters': return second === 'core' ? ['adapters/core/'] : [`adapters/${second}/`, 'adapters/core/'];
    default: return undefined;
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === '__tests__' || entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = ['schema', 'runtime', 'simulators', 'audit', 'gateway', 'subgraphs', 'adapters'].flatMap(sourceFiles);

describe('import boundaries', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files)('%s imports only what its layer may', (file) => {
    const allowed = allowedFor(file)!;
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = [
      ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm),
    ].map((m) => (m[1] ?? m[2] ?? m[3])!);
    const offending = specifiers
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(root, resolve(dirname(join(root, file)), s)).replaceAll('\\', '/'))
      .filter((target) => !allowed.some((prefix) => `${target}/`.startsWith(prefix) || target.startsWith(prefix)));
    expect(offending, `${file} may import only ${allowed.join(', ')}`).toEqual([]);
  });
});
