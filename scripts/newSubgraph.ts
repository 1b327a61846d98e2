/**
 * `npm run new-subgraph -- NAME` as a function: checks the name, writes a working subgraph from
 * the template (scripts/subgraphTemplate.ts) into its own folder, its SDL and its tests, and adds
 * its entry to the subgraph list. Nothing is written unless all of it can be: the name is free,
 * no file would be overwritten, and the new SDL composes with the subgraphs already listed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeSubgraphs, listedSubgraphs } from '../schema/compose';
import { loadSubgraphList, SUBGRAPH_NAME, withAccessDefinition } from '../schema/subgraphs';
import { generateResolverTypes, PARENTS_FILE, RESOLVER_TYPES_FILE } from './resolverTypes';
import { subgraphTemplate, templateNames } from './subgraphTemplate';

/** The project's root: where the list, schema/ and subgraphs/ are. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Names that are folders or files of the project already, not subgraphs. */
const RESERVED = new Set(['shared', 'access', 'supergraph', 'index', 'schema', 'gateway', 'runtime', 'audit', 'adapters', 'simulators', 'test']);

/** The subgraph was not written: a bad name (exit 2) or a conflict with what is there (exit 1). */
export class NewSubgraphRefused extends Error {
  override readonly name = 'NewSubgraphRefused';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface NewSubgraphOptions {
  name: string;
  /** The project root to write into. @default the project's own */
  root?: string;
}

export interface NewSubgraphResult {
  /** Files written, relative to the root. */
  files: string[];
  /** The list the entry was added to. */
  listPath: string;
  url: string;
}

/** Why a name cannot be a new subgraph's, or undefined when it can. */
export function nameProblem(name: string, taken: readonly string[]): string | undefined {
  if (!SUBGRAPH_NAME.test(name) || name.length > 40) {
    return `"${name}" is not a subgraph name: use a lowercase identifier of at most 40 characters (a-z and 0-9, words joined by single underscores, starting with a letter), e.g. parking or parking_permits`;
  }
  if (taken.includes(name)) return `a subgraph named ${name} is listed already (${taken.join(', ')}); pick another name, or change that one's files`;
  if (RESERVED.has(name)) return `${name} is the name of a part of the project, not free for a subgraph`;
  return undefined;
}

export async function newSubgraph(options: NewSubgraphOptions): Promise<NewSubgraphResult> {
  const root = resolve(options.root ?? PROJECT_ROOT);
  const listPath = join(root, 'subgraphs.json');
  const list = loadSubgraphList(listPath);
  const problem = nameProblem(options.name, list.names);
  if (problem) throw new NewSubgraphRefused(problem, 2);
  const names = templateNames(options.name);
  const files = subgraphTemplate(names);
  const existing = [join(root, 'subgraphs', names.name), ...files.map((f) => join(root, f.path))].filter((p) => existsSync(p));
  if (existing.length > 0) {
    throw new NewSubgraphRefused(`${existing.map((p) => relative(root, p)).join(', ')} exists already: the subgraph ${names.name} would overwrite it; move it away or pick another name`, 1);
  }

  const url = `http://localhost:${nextPort(list.subgraphs.map((s) => s.url))}/graphql`;
  const sdl = files.find((f) => f.path.endsWith('.graphql'))!.text;
  const composed = composeSubgraphs([...listedSubgraphs(list), { name: names.name, url, sdl: withAccessDefinition(sdl) }]);
  if (composed.errors) {
    throw new NewSubgraphRefused(`the new subgraph ${names.name} would not compose with ${list.names.join(', ')}:\n${composed.errors.map((e) => `- ${e.message}`).join('\n')}`, 1);
  }

  // Its resolver types, as `npm run codegen` would write them: generated before anything is written,
  // so a template the generator cannot read leaves the project as it was.
  const folder = join(root, 'subgraphs', names.name);
  const parents = files.find((f) => f.path === `subgraphs/${names.name}/${PARENTS_FILE}`)?.text;
  const resolverTypes = await generateResolverTypes({ folder, root, sdl: withAccessDefinition(sdl), sdlLabel: `schema/${names.name}.graphql`, ...(parents ? { parents } : {}) });
  files.push({ path: `subgraphs/${names.name}/${RESOLVER_TYPES_FILE}`, text: resolverTypes });

  for (const file of files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
  // The entry goes at the end of the list, everything else in the file kept as it was.
  const json = JSON.parse(readFileSync(listPath, 'utf8')) as { subgraphs: unknown[] };
  json.subgraphs.push({
    name: names.name,
    sdl: `schema/${names.name}.graphql`,
    url,
    scopes: [names.scope],
    start: { module: `subgraphs/${names.name}/index.ts`, export: names.startExport },
  });
  const staged = `${listPath}.${process.pid}.tmp`;
  writeFileSync(staged, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(staged, listPath);
  // What was written must be a list the commands accept.
  loadSubgraphList(listPath);
  return { files: [...files.map((f) => f.path), 'subgraphs.json'], listPath, url };
}

/** One past the highest port the listed URLs use (4004 after 4001–4003). */
function nextPort(urls: readonly string[]): number {
  const ports = urls.map((u) => Number(new URL(u).port) || 0);
  return Math.max(4000, ...ports) + 1;
}
