/**
 * The subgraphs of the graph: one list, `subgraphs.json` at the project's root (or the file
 * SUBGRAPHS_CONFIG names, passed in by the commands that read the environment). Each entry names
 * the subgraph, its SDL file, its default URL (written into the supergraph by compose), the scopes
 * its `@access` declarations introduce, and the module and export that start it. compose, the
 * gateway's configuration, `npm start` and `npm run start:subgraph` all read this list; nothing
 * else lists subgraphs.
 *
 * Validated with zod when read; a bad list is refused with every problem named (CONFIG_INVALID),
 * paths resolved against the list's folder, the result frozen.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';
import { z } from 'zod';

/** The project's own list. */
export const subgraphListPath: string = fileURLToPath(new URL('../subgraphs.json', import.meta.url));
/** The supergraph the project's list composes into (its `supergraph`). */
export const supergraphPath: string = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));
/** The API schema's file name, beside the supergraph. */
const API_SCHEMA_FILE = 'api.graphql';
/** The API schema of the project's list (schema/api.graphql). */
export const apiSchemaPath: string = fileURLToPath(new URL(`./${API_SCHEMA_FILE}`, import.meta.url));
/** The definition of `@access` every subgraph shares (schema/access.graphql). */
const accessDefinitionPath = fileURLToPath(new URL('./access.graphql', import.meta.url));

/** A subgraph name: a lowercase identifier, so it is also a file name, an env suffix and a JWT audience. */
export const SUBGRAPH_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SCOPE = /^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)+$/;

const entrySchema = z.object({
  name: z.string().regex(SUBGRAPH_NAME, 'must be a lowercase identifier (a-z, 0-9, single underscores), starting with a letter').max(40),
  /** The subgraph's SDL file, relative to the list. */
  sdl: z.string().min(1).regex(/\.graphql$/, 'must name a .graphql file'),
  /** Where the subgraph listens by default; written into the supergraph. Deployments override it (SUBGRAPH_URL_<NAME>). */
  url: z.string().url(),
  /** The scopes this subgraph's `@access` declarations introduce (the identity provider issues them). */
  scopes: z.array(z.string().regex(SCOPE, 'must look like resource:action')).default([]),
  /** The module that starts it (relative to the list) and the function it exports for that. */
  start: z.object({
    module: z.string().min(1).regex(/\.(ts|js|mjs)$/, 'must name a .ts or .js module'),
    export: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'must be the name of an exported function'),
  }),
  /** Settings for the subgraph's own use (its system's URL, say), handed to its start function as they are. */
  settings: z.record(z.string(), z.unknown()).default({}),
});

const listSchema = z.object({
  $comment: z.string().optional(),
  /** Where compose writes the supergraph (relative to the list). */
  supergraph: z.string().min(1).default('schema/supergraph.graphql'),
  subgraphs: z.array(entrySchema).min(1, 'lists no subgraph'),
});

/** One subgraph as the list names it, its paths absolute. */
export interface SubgraphEntry {
  readonly name: string;
  /** The SDL file (absolute). */
  readonly sdlPath: string;
  readonly url: string;
  readonly scopes: readonly string[];
  /** The module that starts it (absolute) and the name of its start function. */
  readonly start: { readonly module: string; readonly export: string };
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface SubgraphList {
  /** The list file (absolute). */
  readonly path: string;
  /** Where compose writes the supergraph (absolute). */
  readonly supergraphPath: string;
  /** Where compose writes the API schema, the graph as clients see it: `api.graphql` beside the supergraph (absolute). */
  readonly apiSchemaPath: string;
  readonly subgraphs: readonly SubgraphEntry[];
  readonly names: readonly string[];
  byName(name: string): SubgraphEntry | undefined;
}

/** A bad list: every problem named. Its code is the configuration's (CONFIG_INVALID). */
export class SubgraphListInvalid extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(
    path: string,
    readonly issues: string[],
  ) {
    super(`CONFIG_INVALID: the subgraph list ${path} is invalid:\n${issues.map((i) => `- ${i}`).join('\n')}`);
    this.name = 'SubgraphListInvalid';
  }
}

/** The list in a file (default: the project's), validated: names unique, files present. */
export function loadSubgraphList(path: string = subgraphListPath): SubgraphList {
  const file = resolve(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SubgraphListInvalid(file, [existsSync(file) ? `not valid JSON: ${(error as Error).message}` : 'cannot be read']);
  }
  const parsed = listSchema.safeParse(json);
  if (!parsed.success) throw new SubgraphListInvalid(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const dir = dirname(file);
  const issues: string[] = [];
  const seen = new Set<string>();
  const subgraphs = parsed.data.subgraphs.map((entry, i): SubgraphEntry => {
    const where = `subgraphs.${i} (${entry.name})`;
    if (seen.has(entry.name)) issues.push(`${where}: the name ${entry.name} is listed twice`);
    seen.add(entry.name);
    const sdlPath = resolve(dir, entry.sdl);
    const module = resolve(dir, entry.start.module);
    if (!existsSync(sdlPath)) issues.push(`${where}.sdl: no file ${entry.sdl}`);
    if (!existsSync(module)) issues.push(`${where}.start.module: no file ${entry.start.module}`);
    return Object.freeze({
      name: entry.name,
      sdlPath,
      url: entry.url,
      scopes: Object.freeze([...entry.scopes]),
      start: Object.freeze({ module, export: entry.start.export }),
      settings: Object.freeze({ ...entry.settings }),
    });
  });
  if (issues.length > 0) throw new SubgraphListInvalid(file, issues);
  const byName = new Map(subgraphs.map((s) => [s.name, s]));
  return Object.freeze({
    path: file,
    supergraphPath: resolve(dir, parsed.data.supergraph),
    apiSchemaPath: join(dirname(resolve(dir, parsed.data.supergraph)), API_SCHEMA_FILE),
    subgraphs: Object.freeze(subgraphs),
    names: Object.freeze(subgraphs.map((s) => s.name)),
    byName: (name: string) => byName.get(name),
  });
}

/** A subgraph's name; any name the list gives. */
export type SubgraphName = string;

/**
 * An SDL file with the definition of `@access` (schema/access.graphql) that every subgraph shares
 * and composes into the supergraph, unless the file defines it itself.
 */
export function readSubgraphSdl(sdlPath: string): string {
  const own = readFileSync(sdlPath, 'utf8');
  return withAccessDefinition(own);
}

/** The SDL with the shared `@access` definition appended when it does not define it already. */
export function withAccessDefinition(sdl: string): string {
  return /^\s*directive\s+@access\b/m.test(sdl) ? sdl : `${sdl}\n${readFileSync(accessDefinitionPath, 'utf8')}`;
}

/** A listed subgraph's SDL (its file and the `@access` definition), from the project's list unless another is given. */
export function subgraphSdl(name: string, list: SubgraphList = loadSubgraphList()): string {
  const entry = list.byName(name);
  if (!entry) throw new Error(`no subgraph named ${name} in ${list.path}; it lists ${list.names.join(', ')}`);
  return readSubgraphSdl(entry.sdlPath);
}

/**
 * The .graphql files beside the listed SDLs that the list does not name (an SDL nobody composes),
 * apart from the shared `@access` definition, the supergraph and the API schema.
 */
export function unlistedSdlFiles(list: SubgraphList): string[] {
  const listed = new Set([...list.subgraphs.map((s) => s.sdlPath), list.supergraphPath, list.apiSchemaPath, accessDefinitionPath]);
  const folders = new Set(list.subgraphs.map((s) => dirname(s.sdlPath)));
  return [...folders].flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => name.endsWith('.graphql') && name !== 'access.graphql')
      .map((name) => join(folder, name))
      .filter((path) => !listed.has(path)),
  );
}

/** The subgraphs a supergraph SDL joins (its `join__Graph` values), with their URLs; none when it is no supergraph. */
export function supergraphSubgraphs(supergraphSdl: string): { name: string; url: string }[] {
  let document;
  try {
    document = parse(supergraphSdl);
  } catch {
    return [];
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    return (definition.values ?? []).flatMap((value) => {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (name: string) => {
        const v = graph?.arguments?.find((a) => a.name.value === name)?.value;
        return v?.kind === Kind.STRING ? v.value : undefined;
      };
      const name = arg('name');
      return name ? [{ name, url: arg('url') ?? '' }] : [];
    });
  }
  return [];
}
