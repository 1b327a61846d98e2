/**
 * What `npm run new-subgraph -- NAME` writes: a working subgraph in its own folder, its SDL and its
 * tests, following the protocol every subgraph speaks (docs/subgraphs.md): the gateway's internal
 * token checked by the shared server (subgraphs/shared/subgraphServer.ts), `@access` declared in
 * the SDL and enforced by that server too, what personal data it touched reported per subject
 * (subgraphs/shared/accessLog.ts), a citizen kept to their own data (subgraphs/shared/ownData.ts),
 * /health and /ready, and a sample type extending `Citizen` over a sample data source that the
 * municipality replaces with an adapter for its own system.
 */

/** The names a subgraph called `name` gives its parts. */
export interface TemplateNames {
  /** The subgraph (`parking_permits`). */
  name: string;
  /** PascalCase (`ParkingPermits`): the record type is `${pascal}Record`. */
  pascal: string;
  /** camelCase (`parkingPermits`): the Citizen field is `${camel}Records`. */
  camel: string;
  /** The scope a service needs for the records (`parking_permits:read`). */
  scope: string;
  /** The start function the list names (`startParkingPermitsSubgraph`). */
  startExport: string;
  /** The constant naming its legacy system in access records (`PARKING_PERMITS_SYSTEM`). */
  constant: string;
}

export function templateNames(name: string): TemplateNames {
  const words = name.split('_');
  const pascal = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  const camel = pascal.charAt(0).toLowerCase() + pascal.slice(1);
  return { name, pascal, camel, scope: `${name}:read`, startExport: `start${pascal}Subgraph`, constant: `${name.toUpperCase()}_SYSTEM` };
}

/** The files of a new subgraph, by path relative to the project root. */
export function subgraphTemplate(n: TemplateNames): { path: string; text: string }[] {
  return [
    { path: `schema/${n.name}.graphql`, text: sdl(n) },
    { path: `subgraphs/${n.name}/index.ts`, text: index(n) },
    { path: `subgraphs/${n.name}/resolvers.ts`, text: resolvers(n) },
    { path: `subgraphs/${n.name}/parents.ts`, text: parents(n) },
    { path: `subgraphs/${n.name}/source.ts`, text: source(n) },
    { path: `subgraphs/${n.name}/README.md`, text: readme(n) },
    { path: `subgraphs/${n.name}/__tests__/${n.name}.test.ts`, text: test(n) },
  ];
}

const sdl = (n: TemplateNames) => `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://specs.kommune-graph.dk/access/v1.0", import: ["@access"])
  @composeDirective(name: "@access")

"""
A Danish personal identification number (CPR-nummer), written DDMMYY-SSSS.
Substitute numbers (day of month + 60) are accepted; the modulus-11 check is not required.
"""
scalar CPR

"An ISO 8601 calendar date, YYYY-MM-DD."
scalar Date

"A citizen, extended here with their records in the municipality's ${n.name} system."
type Citizen @key(fields: "cpr") @access(personal: true) {
  "The citizen's CPR number."
  cpr: CPR!
  "The citizen's ${n.name} records. Null, with an error at this path, when the ${n.name} system fails. Services need the scope ${n.scope}."
  ${n.camel}Records: [${n.pascal}Record!] @access(roles: ["caseworker", "citizen"], scopes: [["${n.scope}"]])
}

"One record of a citizen in the municipality's ${n.name} system."
type ${n.pascal}Record @access(personal: true) {
  "The record's id in the ${n.name} system."
  id: ID!
  "What the record is, in words."
  title: String
  "The day the record took effect."
  validFrom: Date
}
`;

const index = (n: TemplateNames) => `/**
 * ${n.pascal} subgraph (written by \`npm run new-subgraph -- ${n.name}\`): Citizen.${n.camel}Records from the
 * municipality's ${n.name} system, through the ${n.pascal}Source interface (source.ts). Listed in
 * subgraphs.json, which names ${n.startExport} as the function that starts it.
 */
import { readSubgraphSdl } from '../../schema/subgraphs';
import { legacyPlumbing, type SubgraphStart } from '../shared/legacyServices';
import { startSubgraph, type SubgraphDefinition } from '../shared/subgraphServer';
import { ${n.camel}Resolvers } from './resolvers';
import { sample${n.pascal}Source, type ${n.pascal}Source } from './source';

export { ${n.camel}Resolvers, ${n.constant} } from './resolvers';
export { sample${n.pascal}Source, type ${n.pascal}Record, type ${n.pascal}Source } from './source';

/** The subgraph over a source: its name, its SDL (with the shared @access definition) and its resolvers. */
export function create${n.pascal}Subgraph(typeDefs: string, source: ${n.pascal}Source): SubgraphDefinition {
  return { name: '${n.name}', typeDefs, resolvers: ${n.camel}Resolvers(source) };
}

/**
 * Starts the subgraph as \`npm start\` and \`npm run start:subgraph -- ${n.name}\` do: its SDL from the file
 * the list names, the shared server (internal token, @access, access reports, /health, /ready).
 * The list entry's \`settings\` are yours: put the ${n.name} system's URL there and read it here.
 */
export const ${n.startExport}: SubgraphStart = (config, options, entry) => {
  const plumbing = legacyPlumbing(config);
  // Replace the sample with an adapter for the real system, e.g. over
  // plumbing.restClient('${n.name}', String(entry.settings['url'])) (breakers and retries included).
  const source = sample${n.pascal}Source();
  return startSubgraph(
    create${n.pascal}Subgraph(readSubgraphSdl(entry.sdlPath), source),
    plumbing.serverOptions({ ...options, readiness: () => ({ breakers: plumbing.resilience.breakers(), source: 'sample' }) }),
  );
};
`;

const resolvers = (n: TemplateNames) => `/**
 * ${n.pascal} resolvers: a citizen's records from the ${n.name} system. Every read of personal data is
 * reported to the gateway for the access trail (ctx.access), the look-up itself included; a
 * citizen reads only their own records (requireOwnData). What the caller may read at all is the
 * @access in schema/${n.name}.graphql, checked by the shared server before these run.
 */
import { cprScalar, dateScalar } from '../../schema/scalars';
import { citizenReference } from '../shared/citizenReference';
import { requireOwnData } from '../shared/ownData';
import type { SubgraphContext } from '../shared/subgraphServer';
import type { Resolvers } from './generated/resolvers';
import type { ${n.pascal}Record, ${n.pascal}Source } from './source';

/** The legacy system the access records name (\`systems\`): the municipality's ${n.name} system. */
export const ${n.constant} = '${n.name}';

/** Typed from the SDL (\`npm run codegen\` after changing it): a resolver returning the wrong shape fails the typecheck. */
export function ${n.camel}Resolvers(source: ${n.pascal}Source): Resolvers {
  /** A record field, reported as read for the record's holder. */
  const reported = <K extends 'id' | 'title' | 'validFrom'>(field: K) => (record: ${n.pascal}Record, _args: unknown, ctx: SubgraphContext): ${n.pascal}Record[K] => {
    ctx.access.touched(record.holderCpr, '${n.pascal}Record.' + field, ${n.constant});
    return record[field];
  };
  return {
    CPR: cprScalar,
    Date: dateScalar,
    Citizen: {
      // The gateway sends the CPR number as serialized (DDMMYY-SSSS); the source takes ten digits.
      __resolveReference: (reference: { cpr: string }) => citizenReference(reference),
      ${n.camel}Records: (citizen: { cpr: string }, _args: unknown, ctx: SubgraphContext) => {
        requireOwnData(ctx, citizen.cpr, 'Citizen.${n.camel}Records');
        // The look-up is an access even when it finds nothing.
        ctx.access.touched(citizen.cpr, 'Citizen.${n.camel}Records', ${n.constant});
        return source.recordsOf(citizen.cpr, { signal: ctx.signal });
      },
    },
    ${n.pascal}Record: { id: reported('id'), title: reported('title'), validFrom: reported('validFrom') },
  };
}
`;

const parents = (n: TemplateNames) => `/**
 * What the ${n.name} resolvers hand on for each GraphQL type, when it is not the GraphQL shape:
 * an exported \`<Type>Parent\` is that type's parent in generated/resolvers.ts (\`npm run codegen\`).
 * A record keeps its holder's CPR number, which the graph does not show, for the access report.
 */
import type { ${n.pascal}Record } from './source';

/** A citizen as the gateway refers to it: the CPR number (ten digits, after citizenReference). */
export interface CitizenParent {
  cpr: string;
}

export type ${n.pascal}RecordParent = ${n.pascal}Record;
`;

const source = (n: TemplateNames) => `/**
 * Where the ${n.name} subgraph's data comes from. The resolvers depend on this interface only.
 * Replace the sample with an adapter for the municipality's own system in adapters/${n.name}/ (a typed
 * client, a pure mapping function per legacy type, the typed errors of adapters/core/errors.ts with
 * \`system: '${n.name}'\`, so a failure reaches the client as LEGACY_TIMEOUT, LEGACY_FAULT… at its field).
 */
import { createHash } from 'node:crypto';

/** One record as the subgraph serves it. */
export interface ${n.pascal}Record {
  id: string;
  /** The holder's CPR number (ten digits): whose personal data this is, for the access report. */
  holderCpr: string;
  title: string | null;
  /** YYYY-MM-DD */
  validFrom: string | null;
}

export interface ${n.pascal}Source {
  /** The records of the citizen with this CPR number (ten digits); stops when the request's budget is spent. */
  recordsOf(cpr: string, options: { signal: AbortSignal }): Promise<${n.pascal}Record[]>;
}

/**
 * A stand-in with one synthetic record per citizen, its id derived from the CPR number (never the
 * number itself). \`calls\` lists the CPR numbers asked for, for tests that count calls.
 */
export function sample${n.pascal}Source(): ${n.pascal}Source & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async recordsOf(cpr, { signal }) {
      signal.throwIfAborted();
      calls.push(cpr);
      const id = '${n.name}-' + createHash('sha256').update(cpr).digest('hex').slice(0, 12);
      return [{ id, holderCpr: cpr, title: 'Sample ${n.name} record', validFrom: '2026-01-01' }];
    },
  };
}
`;

const readme = (n: TemplateNames) => `# ${n.name}

A municipality's own subgraph, written by \`npm run new-subgraph -- ${n.name}\`.

| part | file |
|---|---|
| the public contract (types, \`@access\`) | \`schema/${n.name}.graphql\` |
| start, SDL, server | \`index.ts\` (\`${n.startExport}\`, named in \`subgraphs.json\`) |
| resolvers, access reports | \`resolvers.ts\`, typed by \`generated/resolvers.ts\` (\`npm run codegen\` after an SDL change) with the parent types of \`parents.ts\` |
| the data source (replace the sample) | \`source.ts\` |
| tests | \`__tests__/${n.name}.test.ts\` (\`npx vitest run subgraphs/${n.name}\`) |

\`Citizen.${n.camel}Records\` is personal data: caseworkers and the citizen themselves read it; a
service needs the scope \`${n.scope}\` (declared in \`subgraphs.json\`). Before it goes live:
\`npm run check-subgraph -- --name ${n.name} --sdl schema/${n.name}.graphql\`, then \`npm run compose\`.
The protocol it speaks: docs/subgraphs.md.
`;

const test = (n: TemplateNames) => `/**
 * The ${n.name} subgraph over HTTP, called as the gateway calls it: only with the gateway's internal
 * token for this subgraph and this very request; personal data only when the token grants it and
 * the caller's role or scopes meet its @access; every read reported for the access trail.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalTokenKeys,
  INTERNAL_TOKEN_HEADER,
  subgraphRequestHash,
  type InternalClaims,
  type InternalTokenSigner,
} from '../../../runtime/internalToken';
import { formatCpr } from '../../../schema/scalars';
import { loadSubgraphList, readSubgraphSdl } from '../../../schema/subgraphs';
import { startSubgraph, type RunningSubgraph } from '../../shared/subgraphServer';
import { create${n.pascal}Subgraph, sample${n.pascal}Source } from '../index';

/** A synthetic substitute number (day of month + 60): never a real person. */
const CPR = '6101701234';
const OTHER = '6202702345';
const RECORDS = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { ${n.camel}Records { id title validFrom } } } }';
const of = (cpr: string) => ({ r: [{ __typename: 'Citizen', cpr: formatCpr(cpr) }] });

const list = loadSubgraphList(fileURLToPath(new URL('../../../subgraphs.json', import.meta.url)));
const source = sample${n.pascal}Source();
let subgraph: RunningSubgraph;
let signer: InternalTokenSigner;

beforeAll(async () => {
  const keys = await generateInternalTokenKeys();
  signer = await createInternalTokenSigner(keys.privateJwk);
  const entry = list.byName('${n.name}')!;
  subgraph = await startSubgraph(create${n.pascal}Subgraph(readSubgraphSdl(entry.sdlPath), source), {
    internalTokens: await createInternalTokenVerifier(keys.publicJwk, { subgraph: '${n.name}' }),
    port: 0,
    host: '127.0.0.1',
  });
});
afterAll(() => subgraph?.close());

/** What the gateway vouches for: a caseworker of 0101 granted personal data, unless told otherwise. */
function claims(query: string, variables: Record<string, unknown>, overrides: Partial<InternalClaims> = {}): InternalClaims {
  return {
    audience: '${n.name}',
    requestHash: subgraphRequestHash(query, variables),
    actor: 'caseworker-1',
    role: 'caseworker',
    scopes: [],
    uses: [],
    tenant: '0101',
    purpose: 'test',
    personal: true,
    requestId: randomUUID(),
    intent: null,
    development: false,
    ...overrides,
  };
}

async function post(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { [INTERNAL_TOKEN_HEADER]: token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: Record<string, unknown> } };
}

const ask = async (variables: Record<string, unknown>, overrides: Partial<InternalClaims> = {}) =>
  post(RECORDS, variables, await signer.sign(claims(RECORDS, variables, overrides)));
const codes = (body: { errors?: { extensions?: { code?: string } }[] }) => (body.errors ?? []).map((e) => e.extensions?.code);

describe('the ${n.name} subgraph', () => {
  it('refuses a call without the gateway\\'s token, or with one for another subgraph, and asks its source nothing', async () => {
    const before = source.calls.length;
    const none = await post(RECORDS, of(CPR));
    expect(none.status).toBe(401);
    expect(codes(none.body)).toEqual(['UNAUTHENTICATED']);
    const elsewhere = await post(RECORDS, of(CPR), await signer.sign(claims(RECORDS, of(CPR), { audience: 'citizen' })));
    expect(elsewhere.status).toBe(401);
    expect(source.calls.length).toBe(before);
  });

  it('answers a caseworker, and reports whose data it read, which fields, from which system', async () => {
    const { status, body } = await ask(of(CPR));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data._entities[0].${n.camel}Records).toEqual([{ id: expect.stringMatching(/^${n.name}-/), title: 'Sample ${n.name} record', validFrom: '2026-01-01' }]);
    expect(body.extensions?.['legacyAccess']).toEqual([
      { subject: CPR, fields: ['Citizen.${n.camel}Records', '${n.pascal}Record.id', '${n.pascal}Record.title', '${n.pascal}Record.validFrom'].sort(), systems: ['${n.name}'], cached: [] },
    ]);
  });

  it('refuses the records when the token does not grant personal data, or the service lacks ${n.scope}, without asking its source', async () => {
    const before = source.calls.length;
    for (const overrides of [{ personal: false }, { role: 'service' as const, scopes: ['cases:read'] }]) {
      const { body } = await ask(of(CPR), overrides);
      expect(body.data._entities[0]?.${n.camel}Records ?? null).toBeNull();
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    expect(source.calls.length).toBe(before);
    const granted = await ask(of(CPR), { role: 'service', scopes: ['${n.scope}'] });
    expect(granted.body.errors).toBeUndefined();
  });

  it('lets a citizen read their own records and nobody else\\'s', async () => {
    const own = await ask(of(CPR), { role: 'citizen', actor: CPR, tenant: null });
    expect(own.body.errors).toBeUndefined();
    const other = await ask(of(OTHER), { role: 'citizen', actor: CPR, tenant: null });
    expect(other.body.data._entities[0]?.${n.camel}Records ?? null).toBeNull();
    expect(codes(other.body)).toEqual(['FORBIDDEN']);
  });

  it('serves /health and /ready', async () => {
    const health = await fetch(new URL('/health', subgraph.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', subgraph: '${n.name}' });
    const ready = await fetch(new URL('/ready', subgraph.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', subgraph: '${n.name}' });
  });
});
`;
