/**
 * `npm run check-subgraph -- --name NAME --sdl FILE` (or `--url URL`) as a function: composes the
 * candidate (a new subgraph, or a new version of the one the list names so) with the subgraphs the
 * list names, and reports in plain words:
 *
 * 1. composition errors (and a composed supergraph the gateway would not load);
 * 2. breaking changes against the supergraph in force, on the API schema clients see (no join__
 *    or link metadata), by @graphql-inspector/core: a field removed or retyped, a new required
 *    argument, …; its "dangerous" changes are shown as notes;
 * 3. fields that return personal data without `@access(personal: true)`, by the graph's own
 *    marks (see PERSONAL_MEANS);
 * 4. `@access` roles and scopes that do not exist.
 *
 * Exit 0 when compatible, 1 on any finding, 2 on bad arguments or a candidate that cannot be read.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  Kind,
  parse,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type TypeNode,
} from 'graphql';
import { SERVICE_PERSONAL_DATA_SCOPE } from '../gateway/auth/decision';
import { loadSupergraph, type BuildService } from '../gateway/supergraph';
import { createInternalTokenSigner, INTERNAL_ROLES, INTERNAL_TOKEN_HEADER, subgraphRequestHash } from '../runtime/internalToken';
import { readJwkFile } from '../runtime/keyFiles';
import { accessDeclarations, declaresFields, readAccessPolicy } from '../schema/accessPolicy';
import { composeSubgraphs, listedSubgraphs, type ComposableSubgraph } from '../schema/compose';
import { loadSubgraphList, SUBGRAPH_NAME, withAccessDefinition, type SubgraphList } from '../schema/subgraphs';

export const USAGE =
  'usage: npm run check-subgraph -- --name NAME (--sdl FILE | --url URL) [--key FILE] [--config FILE] [--supergraph FILE]\n' +
  '  --name        the subgraph: one the list names (a new version of it) or a new one\n' +
  '  --sdl FILE    its SDL file; or --url URL: its running server, asked for { _service { sdl } }\n' +
  '  --key FILE    the gateway\'s private key (default INTERNAL_TOKEN_PRIVATE_JWK), to sign for --url: subgraphs answer only the gateway\n' +
  '  --config FILE the subgraph list (default SUBGRAPHS_CONFIG, else subgraphs.json)\n' +
  '  --supergraph  the supergraph in force to compare with (default: the list\'s)';

/** What "personal" means to this check: how the graph's own schema marks personal data. */
export const PERSONAL_MEANS =
  'Personal data, here, is what the graph already treats as personal: a field of a type marked @access(personal: true) ' +
  '(Citizen, Case, Document, PersonName, …), a field that returns such a type, a field that returns a CPR number, and ' +
  'a field that takes a CPR number as an argument (also inside an input object). Such a field needs @access(personal: true), ' +
  'on itself or on its type, in the candidate\'s own SDL: that is what makes the gateway ask for a purpose and record the ' +
  'access, and what makes the subgraph refuse it to a call not granted personal data.';

export interface CheckResult {
  exitCode: 0 | 1 | 2;
  /** The report, line by line. */
  lines: string[];
}

interface Arguments {
  name: string;
  sdl?: string;
  url?: string;
  key?: string;
  config?: string;
  supergraph?: string;
}

/** The whole command: arguments in, report and exit code out. */
export async function checkSubgraph(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const parsed = parseArguments(argv);
  if ('problem' in parsed) return { exitCode: 2, lines: [parsed.problem, USAGE] };
  const args = parsed;

  let list: SubgraphList;
  try {
    list = loadSubgraphList(args.config ?? (env['SUBGRAPHS_CONFIG'] || undefined));
  } catch (error) {
    return { exitCode: 2, lines: [(error as Error).message] };
  }
  const supergraphPath = args.supergraph ? resolve(args.supergraph) : list.supergraphPath;
  let currentSdl: string;
  try {
    currentSdl = readFileSync(supergraphPath, 'utf8');
  } catch {
    return { exitCode: 2, lines: [`cannot read the supergraph in force, ${supergraphPath} (--supergraph FILE names another)`] };
  }

  let candidateSdl: string;
  try {
    candidateSdl = args.sdl ? readFileSync(resolve(args.sdl), 'utf8') : await fetchSdl(args.url!, args.name, args.key ?? (env['INTERNAL_TOKEN_PRIVATE_JWK'] || undefined));
  } catch (error) {
    return { exitCode: 2, lines: [(error as Error).message] };
  }

  const listed = list.byName(args.name);
  const lines: string[] = [];
  const say = (line = '') => void lines.push(line);
  let findings = 0;
  say(`Checking the subgraph ${args.name}: ${listed ? `a new version of the one ${list.path} lists` : 'a new subgraph'}, from ${args.sdl ?? args.url}.`);
  say(`Composed with: ${list.names.filter((n) => n !== args.name).join(', ')}. Compared with the supergraph in force: ${supergraphPath}.`);

  // 1. Composition.
  const sdl = withAccessDefinition(candidateSdl);
  let document: DocumentNode | undefined;
  let parseError: string | undefined;
  try {
    document = parse(sdl);
  } catch (error) {
    parseError = (error as Error).message;
  }
  const url = args.url ?? listed?.url ?? `http://localhost/${args.name}/graphql`;
  const others = listedSubgraphs(list).filter((s) => s.name !== args.name);
  const candidate: ComposableSubgraph = { name: args.name, url, sdl };
  const position = list.names.indexOf(args.name);
  const subgraphs = position >= 0 ? [...others.slice(0, position), candidate, ...others.slice(position)] : [...others, candidate];
  let composedSdl: string | undefined;
  say();
  if (parseError) {
    findings++;
    say('Composition: FAILS. The SDL does not parse:');
    say(`  - ${parseError}`);
  } else {
    const composed = composeSubgraphs(subgraphs);
    if (composed.errors) {
      findings += composed.errors.length;
      say(`Composition: FAILS with ${count(composed.errors.length, 'error')}:`);
      for (const error of composed.errors) say(`  - ${error.extensions['code'] ? `[${String(error.extensions['code'])}] ` : ''}${error.message}`);
    } else {
      composedSdl = composed.supergraphSdl;
      say('Composition: it composes with the other subgraphs.');
    }
  }

  // 2. Breaking changes, on the API schemas as the gateway loads them.
  say();
  if (!composedSdl) {
    say('Breaking changes: not checked, since it does not compose.');
  } else {
    const changes = await compareWithInForce(currentSdl, composedSdl);
    if ('problem' in changes) {
      findings++;
      say(`Breaking changes: not checked: ${changes.problem}`);
    } else {
      const breaking = changes.changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
      const dangerous = changes.changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous);
      const safe = changes.changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking);
      findings += breaking.length;
      if (breaking.length === 0) say('Breaking changes: none against the supergraph in force.');
      else {
        say(`Breaking changes: ${breaking.length} against the supergraph in force; clients that use these would fail:`);
        for (const change of breaking) say(`  - ${describeChange(change)}`);
      }
      if (dangerous.length > 0) {
        say(`Notes (${count(dangerous.length, 'change')} that may change what a client gets, not counted as breaking):`);
        for (const change of dangerous) say(`  - ${describeChange(change)}`);
      }
      if (safe.length > 0) {
        say(`Other changes (${count(safe.length, 'change')}, safe for clients):`);
        for (const change of safe) say(`  - ${change.message}${change.path ? ` (${change.path})` : ''}`);
      }
    }
  }

  // 3 and 4. What the candidate declares, by its own SDL.
  say();
  if (!document) {
    say('Personal data and @access: not checked, since the SDL does not parse.');
  } else {
    const access = checkAccess(document, currentSdl, list, args.name);
    if ('problem' in access) {
      findings++;
      say(`@access: ${access.problem}`);
    } else {
      findings += access.personal.length + access.unknown.length;
      if (access.personal.length === 0) say('Personal data without @access: none.');
      else {
        say(`Personal data without @access: ${count(access.personal.length, 'field')}:`);
        for (const line of access.personal) say(`  - ${line}`);
      }
      say(`  (${PERSONAL_MEANS})`);
      say();
      if (access.unknown.length === 0) say(`Roles and scopes in @access: all exist (roles: ${[...INTERNAL_ROLES].sort().join(', ')}; scopes: ${access.knownScopes.join(', ')}).`);
      else {
        say(`Roles and scopes in @access that do not exist: ${access.unknown.length}:`);
        for (const line of access.unknown) say(`  - ${line}`);
      }
    }
  }

  say();
  if (findings === 0) {
    say(`Result: compatible. ${args.name} composes, breaks nothing clients use, declares its personal data, and names only roles and scopes that exist.`);
    return { exitCode: 0, lines };
  }
  say(`Result: NOT compatible: ${count(findings, 'finding')}. Fix ${findings === 1 ? 'it' : 'them'} before it goes live.`);
  return { exitCode: 1, lines };
}

function parseArguments(argv: readonly string[]): Arguments | { problem: string } {
  const known = new Set(['--name', '--sdl', '--url', '--key', '--config', '--supergraph']);
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!known.has(flag)) return { problem: `unknown argument ${flag}` };
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return { problem: `${flag} needs a value` };
    if (values[flag] !== undefined) return { problem: `${flag} given twice` };
    values[flag] = value;
    i++;
  }
  const name = values['--name'];
  if (!name) return { problem: '--name is required: the subgraph to check' };
  if (!SUBGRAPH_NAME.test(name)) return { problem: `--name ${name}: a subgraph name is a lowercase identifier (a-z, 0-9, single underscores)` };
  const sdl = values['--sdl'];
  const url = values['--url'];
  if ((sdl === undefined) === (url === undefined)) return { problem: 'give exactly one of --sdl FILE and --url URL' };
  if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) return { problem: `--url ${url}: not an http(s) URL` };
  return {
    name,
    ...(sdl !== undefined ? { sdl } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(values['--key'] ? { key: values['--key'] } : {}),
    ...(values['--config'] ? { config: values['--config'] } : {}),
    ...(values['--supergraph'] ? { supergraph: values['--supergraph'] } : {}),
  };
}

const SERVICE_QUERY = '{ _service { sdl } }';

/**
 * A running subgraph's SDL, as the gateway would ask for it. Subgraphs answer only the gateway,
 * `_service` included, so with the gateway's private key the request carries a token signed for
 * that subgraph and this request, granting nothing personal.
 */
async function fetchSdl(url: string, name: string, keyPath: string | undefined): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (keyPath) {
    const signer = await createInternalTokenSigner(readJwkFile(keyPath, '--key'));
    headers[INTERNAL_TOKEN_HEADER] = await signer.sign({
      audience: name,
      requestHash: subgraphRequestHash(SERVICE_QUERY, {}),
      actor: 'check-subgraph',
      role: null,
      scopes: [],
      uses: [],
      tenant: null,
      purpose: null,
      personal: false,
      requestId: randomUUID(),
      intent: null,
      development: false,
    });
  }
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: SERVICE_QUERY, variables: {} }), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(`cannot reach ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: { data?: { _service?: { sdl?: unknown } }; errors?: { message?: string }[] } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const sdl = body?.data?._service?.sdl;
  if (response.ok && typeof sdl === 'string') return sdl;
  const said = body?.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
  if (response.status === 401 && !keyPath) {
    throw new Error(`${url} did not give its SDL (${said}): subgraphs answer only the gateway; give --key FILE, the gateway's private key (INTERNAL_TOKEN_PRIVATE_JWK), to sign the request`);
  }
  throw new Error(`${url} did not give its SDL for { _service { sdl } }: ${said}`);
}

/** Inspector's changes from the API schema in force to the candidate's, both as the gateway loads them. */
async function compareWithInForce(currentSdl: string, candidateSdl: string): Promise<{ changes: Change[] } | { problem: string }> {
  // Only the schemas are needed: data sources that are never called.
  const buildService: BuildService = ({ url }) => ({ dataSource: new RemoteGraphQLDataSource({ url: url || 'http://localhost/' }), url: url ?? '' });
  let inForce;
  try {
    inForce = await loadSupergraph(currentSdl, buildService);
  } catch (error) {
    return { problem: `the supergraph in force does not load: ${(error as Error).message}` };
  }
  try {
    let next;
    try {
      next = await loadSupergraph(candidateSdl, buildService);
    } catch (error) {
      return { problem: `the composed supergraph would be refused by the gateway: ${(error as Error).message}` };
    }
    try {
      return { changes: await diff(inForce.schema, next.schema) };
    } finally {
      await next.stop();
    }
  } finally {
    await inForce.stop();
  }
}

function describeChange(change: Change): string {
  const reason = change.criticality.reason ? ` ${change.criticality.reason}` : '';
  return `${change.message}${change.path ? ` (${change.path})` : ''}.${reason}`.replace(/\.\./g, '.');
}

/** Finds fields returning personal data without `@access(personal: true)`, and roles and scopes nobody has. */
function checkAccess(
  document: DocumentNode,
  currentSdl: string,
  list: SubgraphList,
  name: string,
): { personal: string[]; unknown: string[]; knownScopes: string[] } | { problem: string } {
  let own;
  let inForce;
  try {
    own = accessDeclarations(document);
  } catch (error) {
    return { problem: `the candidate's @access is malformed: ${(error as Error).message}` };
  }
  try {
    inForce = accessDeclarations(currentSdl);
  } catch (error) {
    return { problem: `the supergraph in force has malformed @access: ${(error as Error).message}` };
  }
  const policy = readAccessPolicy(document);
  const personalTypes = new Set([...inForce, ...own].filter((d) => d.fieldName === null && d.personal).map((d) => d.typeName));

  // Input objects of the graph and the candidate, for CPR numbers inside arguments.
  const inputs = new Map<string, readonly InputValueDefinitionNode[]>();
  for (const doc of [parse(currentSdl), document]) {
    for (const d of doc.definitions) {
      if (d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || d.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) inputs.set(d.name.value, [...(inputs.get(d.name.value) ?? []), ...(d.fields ?? [])]);
    }
  }
  const carriesCpr = (type: TypeNode, seen = new Set<string>()): boolean => {
    const named = namedTypeName(type);
    if (named === 'CPR') return true;
    if (seen.has(named)) return false;
    seen.add(named);
    return (inputs.get(named) ?? []).some((f) => carriesCpr(f.type, seen));
  };

  const personal: string[] = [];
  for (const definition of document.definitions) {
    if (!declaresFields(definition)) continue;
    const typeName = definition.name.value;
    for (const field of definition.fields ?? []) {
      if (isExternal(field)) continue;
      const why = whyPersonal(typeName, field, personalTypes, carriesCpr);
      if (!why || policy.isPersonal(typeName, field.name.value)) continue;
      personal.push(`${typeName}.${field.name.value} ${why}, but neither it nor ${typeName} declares @access(personal: true)`);
    }
  }

  // Scopes exist when a listed subgraph declares them, the graph in force uses them, or the gateway gives them meaning.
  const knownScopes = new Set<string>([SERVICE_PERSONAL_DATA_SCOPE, ...list.subgraphs.flatMap((s) => s.scopes)]);
  for (const d of inForce) for (const set of d.grant?.scopes ?? []) for (const scope of set) knownScopes.add(scope);
  const roles = new Set<string>(INTERNAL_ROLES);
  const unknown: string[] = [];
  for (const d of own) {
    const where = d.fieldName ? `${d.typeName}.${d.fieldName}` : d.typeName;
    for (const role of d.grant?.roles ?? []) {
      if (!roles.has(role)) unknown.push(`${where}: @access names the role "${role}", which does not exist; the roles are ${[...roles].sort().join(', ')}`);
    }
    for (const scope of new Set((d.grant?.scopes ?? []).flat())) {
      if (!knownScopes.has(scope)) {
        unknown.push(
          `${where}: @access names the scope "${scope}", which no subgraph declares; if the identity provider issues it, declare it under "scopes" of ${name}'s entry in ${list.path}`,
        );
      }
    }
  }
  return { personal, unknown, knownScopes: [...knownScopes].sort() };
}

/** Why a field returns personal data by the graph's marks, in words; undefined when it does not. */
function whyPersonal(typeName: string, field: FieldDefinitionNode, personalTypes: ReadonlySet<string>, carriesCpr: (type: TypeNode) => boolean): string | undefined {
  if (typeName.startsWith('_') || field.name.value.startsWith('_')) return undefined;
  const returns = namedTypeName(field.type);
  if (personalTypes.has(typeName)) return `is a field of ${typeName}, which the graph marks personal`;
  if (personalTypes.has(returns)) return `returns ${returns}, which the graph marks personal`;
  if (returns === 'CPR') return 'returns a CPR number';
  const cprArgument = (field.arguments ?? []).find((a) => carriesCpr(a.type));
  if (cprArgument) return `takes a CPR number (argument ${cprArgument.name.value})`;
  return undefined;
}

function isExternal(field: FieldDefinitionNode): boolean {
  return (field.directives ?? []).some((d) => d.name.value === 'external' || d.name.value === 'federation__external');
}

function namedTypeName(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeName(type.type);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
