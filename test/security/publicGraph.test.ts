/**
 * No personal field is reachable without a token, checked over the whole composed schema: from
 * every root field an anonymous caller is allowed (not personal, and no grant it cannot meet)
 * through every field that is not personal, no field reached returns a personal type or a CPR
 * number, or takes a CPR number as an argument. That is: the policy marks personal everything
 * that is, so the gateway's rule for a request without a token (`if (!reading.personal) return
 * allowed`, gateway/auth/decision.ts) can never let personal data out.
 *
 * Why a field that is not personal but returns a personal type is a leak: the gateway judges an
 * operation by the fields it selects, and a selection of `__typename` alone (or of nothing but
 * the list) is no personal field, so it is answered anonymously, and the subgraph resolves the
 * field, unguarded, for it. `{ building(id:) { residents { __typename } } }` would then say how
 * many people live there, with no token and no access record. A CPR argument on a public field
 * is a probe the trail never sees; a CPR number returned by one is the number itself.
 *
 * The walk is over the schema the gateway serves (its API schema, loaded as the gateway loads it)
 * with the policy read from the supergraph (schema/accessPolicy.ts). A last test plants such
 * mistakes in the subgraphs' SDLs, composes them in memory, and sees the walk name each one.
 */
import { readFileSync } from 'node:fs';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import {
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSupergraph, type SupergraphVersion } from '../../gateway/supergraph';
import { accessDeclarations, meetsGrant, readAccessPolicy, type AccessPolicy, type Grantee } from '../../schema/accessPolicy';
import { composeSubgraphs, listedSubgraphs } from '../../schema/compose';
import { loadSubgraphList, supergraphPath } from '../../schema/subgraphs';

const CPR = 'CPR';
/** What a request without a token brings to a grant: no role, no scope, no purpose. */
const ANONYMOUS: Grantee = { roles: [], scopes: [] };

/** Something an anonymous caller can reach that is personal. */
interface Leak {
  coordinate: string;
  /** How it is reached from the root, e.g. `Query.publicDocuments > PublicDocumentConnection.nodes`. */
  via: string;
  why: string;
}

interface Reach {
  /** Every field an anonymous caller may select, by coordinate, with how it is reached. */
  fields: Map<string, string>;
  leaks: Leak[];
}

/** Whether values of an input type can hold a CPR number: itself, a list of them, an input object's field. */
function carriesCpr(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === CPR) return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => carriesCpr(f.type, seen));
}

/** The object and interface types a value of `type` may be: itself, a union's members, an interface's implementations. */
function shapesOf(schema: GraphQLSchema, type: GraphQLNamedType): GraphQLNamedType[] {
  if (isUnionType(type)) return [...type.getTypes()];
  if (isInterfaceType(type)) return [type, ...schema.getPossibleTypes(type)];
  return [type];
}

/** Walks what a caller without a token may select, from every root, and names every leak. */
function anonymousReach(schema: GraphQLSchema, policy: AccessPolicy, personalTypes: ReadonlySet<string>): Reach {
  const fields = new Map<string, string>();
  const leaks: Leak[] = [];
  const allowed = (typeName: string, fieldName: string) =>
    !policy.isPersonal(typeName, fieldName) && policy.grantsFor(typeName, fieldName).every((grant) => meetsGrant(grant, ANONYMOUS));
  const queue: { type: GraphQLNamedType; via: string }[] = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
    .filter((t) => t !== null && t !== undefined)
    .map((type) => ({ type, via: '' }));
  const expanded = new Set<string>();
  while (queue.length > 0) {
    const { type, via } = queue.shift()!;
    if (expanded.has(type.name) || !(isObjectType(type) || isInterfaceType(type))) continue;
    expanded.add(type.name);
    for (const field of Object.values(type.getFields())) {
      if (!allowed(type.name, field.name)) continue;
      const coordinate = `${type.name}.${field.name}`;
      const path = via ? `${via} > ${coordinate}` : coordinate;
      if (fields.has(coordinate)) continue;
      fields.set(coordinate, path);
      for (const arg of field.args) if (carriesCpr(arg.type)) leaks.push({ coordinate, via: path, why: `takes a CPR number (argument ${arg.name})` });
      const returned = getNamedType(field.type);
      if (returned.name === CPR) leaks.push({ coordinate, via: path, why: 'returns a CPR number' });
      for (const shape of shapesOf(schema, returned)) {
        if (personalTypes.has(shape.name)) leaks.push({ coordinate, via: path, why: `returns the personal type ${shape.name}` });
        else queue.push({ type: shape, via: path });
      }
    }
  }
  return { fields, leaks };
}

/** The supergraph as the gateway serves it (its API schema) and its access rules. */
async function served(sdl: string): Promise<{ loaded: SupergraphVersion; reach: Reach }> {
  const loaded = await loadSupergraph(sdl, ({ url }) => ({ dataSource: new RemoteGraphQLDataSource({ url: url ?? 'http://localhost:0/graphql' }), url: url ?? '' }));
  const personalTypes = new Set(accessDeclarations(sdl).filter((d) => d.fieldName === null && d.personal).map((d) => d.typeName));
  return { loaded, reach: anonymousReach(loaded.schema, readAccessPolicy(sdl), personalTypes) };
}

let graph: { loaded: SupergraphVersion; reach: Reach };
beforeAll(async () => {
  graph = await served(readFileSync(supergraphPath, 'utf8'));
});
afterAll(() => graph?.loaded.stop());

describe('the graph without a token (schema/supergraph.graphql)', () => {
  it('reaches nothing personal: no personal type, no CPR number, no CPR argument', () => {
    expect(graph.reach.leaks).toEqual([]);
  });

  it('reaches the public part of the graph: public documents and the property registers', () => {
    const reached = graph.reach.fields;
    for (const coordinate of [
      'Query.publicDocuments',
      'PublicDocumentConnection.nodes',
      'PublicDocumentConnection.pageInfo',
      'PublicDocument.title',
      'PublicDocument.kind',
      'PublicDocument.committee',
      'PublicDocument.caseTitle',
      'Query.address',
      'Address.building',
      'Building.units',
    ]) {
      expect(reached.has(coordinate), coordinate).toBe(true);
    }
  });

  it('stops where personal data begins: no root field to citizens or cases, no write, and no field of theirs', () => {
    const reached = [...graph.reach.fields.keys()];
    for (const closed of ['Query.citizen', 'Query.case', 'Query.cases', 'Mutation.openCase', 'Mutation.fileDocument', 'Mutation.changeCaseStatus', 'Mutation.reportSickness']) {
      expect(reached, closed).not.toContain(closed);
    }
    for (const personal of ['Citizen', 'Case', 'Document', 'CaseParty', 'CaseConnection', 'PersonName', 'Residence']) {
      expect(reached.filter((c) => c.startsWith(`${personal}.`)), personal).toEqual([]);
    }
  });

  it('holds nothing of a case in a public document: no field of PublicDocument leads anywhere but to scalars and enums', () => {
    const schema = graph.loaded.schema;
    const publicDocument = schema.getType('PublicDocument');
    expect(isObjectType(publicDocument)).toBe(true);
    if (!isObjectType(publicDocument)) return;
    for (const field of Object.values(publicDocument.getFields())) {
      const named = getNamedType(field.type);
      expect(isObjectType(named) || isInterfaceType(named) || isUnionType(named), `PublicDocument.${field.name}`).toBe(false);
    }
  });
});

describe('the walk itself', () => {
  /** The project's subgraphs, with `edit` applied to one subgraph's SDL, composed in memory. */
  function composedWith(subgraph: string, edit: (sdl: string) => string): string {
    const subgraphs = listedSubgraphs(loadSubgraphList()).map((s) => (s.name === subgraph ? { ...s, sdl: edit(s.sdl) } : s));
    const edited = subgraphs.find((s) => s.name === subgraph)!;
    expect(edited.sdl).not.toBe(listedSubgraphs(loadSubgraphList()).find((s) => s.name === subgraph)!.sdl);
    const result = composeSubgraphs(subgraphs);
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
    return result.supergraphSdl;
  }

  it('names every leak planted in a subgraph: a case on a public document, residents on an address, a CPR argument, a CPR number', async () => {
    const planted = composedWith('case', (sdl) =>
      sdl
        .replace(/(type PublicDocument \{\n)/, '$1  "planted"\n  case: Case\n  "planted"\n  byCitizen("planted" cpr: CPR!): Boolean\n  "planted"\n  caseworkerCpr: CPR\n')
        .replace(/(type PublicDocumentPageInfo \{\n)/, '$1  "planted"\n  parties: [CaseParty!]\n'),
    );
    const property = composedWith('property', (sdl) => sdl.replace(/(type Address @key\(fields: "id"\) \{\n)/, '$1  "planted"\n  residents: [Citizen!]\n'));
    const [withCase, withResidents] = await Promise.all([served(planted), served(property)]);
    try {
      expect(withCase.reach.leaks.map((l) => `${l.coordinate}: ${l.why}`).sort()).toEqual([
        'PublicDocument.byCitizen: takes a CPR number (argument cpr)',
        'PublicDocument.case: returns the personal type Case',
        'PublicDocument.caseworkerCpr: returns a CPR number',
        'PublicDocumentPageInfo.parties: returns the personal type CaseParty',
      ]);
      expect(withCase.reach.leaks.find((l) => l.coordinate === 'PublicDocument.case')?.via).toBe('Query.publicDocuments > PublicDocumentConnection.nodes > PublicDocument.case');
      expect(withResidents.reach.leaks).toEqual([
        { coordinate: 'Address.residents', via: 'Query.address > Address.residents', why: 'returns the personal type Citizen' },
      ]);
    } finally {
      await Promise.all([withCase.loaded.stop(), withResidents.loaded.stop()]);
    }
  });

  it('does not walk into what an anonymous caller is refused: a personal field, or one whose grant it cannot meet', async () => {
    // The same field, declared personal, or for caseworkers only: closed to anonymous callers, so no leak.
    const personal = composedWith('property', (sdl) => sdl.replace(/(type Address @key\(fields: "id"\) \{\n)/, '$1  "planted"\n  residents: [Citizen!] @access(personal: true)\n'));
    const granted = composedWith('property', (sdl) => sdl.replace(/(type Address @key\(fields: "id"\) \{\n)/, '$1  "planted"\n  residents: [Citizen!] @access(roles: ["caseworker"])\n'));
    const walks = await Promise.all([served(personal), served(granted)]);
    try {
      for (const walk of walks) {
        expect(walk.reach.leaks).toEqual([]);
        expect(walk.reach.fields.has('Address.residents')).toBe(false);
        expect(walk.reach.fields.has('Address.text')).toBe(true);
      }
    } finally {
      await Promise.all(walks.map((w) => w.loaded.stop()));
    }
  });
});
