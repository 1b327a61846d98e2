/**
 * A throwaway copy of the project to change as a municipality would (a new subgraph written into
 * it, its list and supergraph edited) without touching the real one: every top-level entry is a
 * symbolic link to the project's, except schema/ and subgraphs/, which are folders of links (so
 * new files land in the copy), and the files a command writes (subgraphs.json,
 * schema/supergraph.graphql, schema/api.graphql), which are copied. Modules reached through the links resolve to the
 * project's own files, so the copy runs the same code as the project, loaded once.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Not mirrored: version control and run-time state. */
const SKIPPED = new Set(['.git', '.data', '.scratch', 'scratch']);
/** Folders a new subgraph writes into: mirrored entry by entry. */
const FOLDERS = new Set(['schema', 'subgraphs']);
/** Files commands write: copied, so writing them leaves the project's alone. */
const WRITTEN = new Set(['subgraphs.json', join('schema', 'supergraph.graphql'), join('schema', 'api.graphql')]);

export interface ProjectMirror {
  root: string;
  remove(): void;
}

export function projectMirror(): ProjectMirror {
  const root = mkdtempSync(join(tmpdir(), 'kommune-graph-mirror-'));
  const mirror = (relativePath: string) => {
    const from = join(projectRoot, relativePath);
    const to = join(root, relativePath);
    if (WRITTEN.has(relativePath)) copyFileSync(from, to);
    else symlinkSync(from, to);
  };
  for (const entry of readdirSync(projectRoot)) {
    if (SKIPPED.has(entry)) continue;
    if (!FOLDERS.has(entry)) {
      mirror(entry);
      continue;
    }
    mkdirSync(join(root, entry));
    for (const inner of readdirSync(join(projectRoot, entry))) mirror(join(entry, inner));
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
