/**
 * What CITIZEN_OVERVIEW_QUERY must answer for a person, computed from the seeded world, so fault
 * tests can say "everything but the failing system's fields is exactly as seeded", and where
 * the failing system's errors must be.
 */
import { expect } from 'vitest';
import type { LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY } from '../../simulators/data/samples';
import type { Person, World } from '../../simulators/data/world';
import { postGraphQL, type GraphQLResponse } from './graphql';

/** SF1470 FremdriftStatusKode as the graph's CaseStatus names it. */
const STATUS = { Opstaaet: 'OPENED', Oplyst: 'INFORMED', Afgjort: 'DECIDED', Afsluttet: 'CLOSED' } as const;

/** Given, middle and family name as CPR's `full` name joins them. */
export const fullName = (p: Person): string => [p.givenName, p.middleName, p.familyName].filter(Boolean).join(' ');

/** The overview's `citizen` for a person when every legacy system answers. */
export function expectedOverview(world: World, person: Person) {
  const address = world.addresses.get(person.addressId)!;
  const access = world.accessAddresses.get(address.accessAddressId)!;
  const building = world.buildings.get(access.buildingId)!;
  const municipality = world.municipalities.find((m) => m.code === access.municipalityCode)!;
  const citizen = (cpr: string) => ({ cpr: formatCpr(cpr), name: { full: fullName(world.persons.get(cpr)!) } });
  return {
    cpr: formatCpr(person.cpr),
    name: { given: person.givenName, family: person.familyName, full: fullName(person) },
    birthDate: person.birthDate,
    address: {
      id: address.id,
      text: address.text,
      postcode: access.postcode,
      municipality: { code: municipality.code, name: municipality.name },
      building: {
        id: building.id,
        usage: expect.any(String) as unknown as string,
        yearBuilt: building.yearBuilt,
        units: building.unitIds.map((id) => ({ id, area: world.units.get(id)!.area })),
      },
    },
    relations: {
      spouse: person.spouseCpr ? citizen(person.spouseCpr) : null,
      children: person.childCprs.map(citizen),
    },
    cases: (world.casesByParty.get(person.cpr) ?? []).map((id) => {
      const c = world.cases.get(id)!;
      return {
        id: c.id,
        number: c.number,
        title: c.title,
        status: STATUS[c.status],
        classification: { number: c.kle.number, title: c.kle.title },
        documents: c.documentIds.map((d) => {
          const doc = world.documents.get(d)!;
          return { id: doc.id, title: doc.title, date: doc.date };
        }),
        parties: c.parties.map((p) => ({ role: p.role, citizen: citizen(p.cpr) })),
      };
    }),
  };
}

export type ExpectedOverview = ReturnType<typeof expectedOverview>;

/** Exactly these error paths (as a multiset: no path twice), each with this system and code. */
export function expectErrorsExactlyAt(errors: GraphQLResponse['body']['errors'], system: string, code: string, paths: (string | number)[][]) {
  const key = (path: unknown) => JSON.stringify(path);
  expect((errors ?? []).map((e) => key(e.path)).sort()).toEqual(paths.map(key).sort());
  for (const error of errors ?? []) expect(error.extensions, key(error.path)).toMatchObject({ system, code });
}

/**
 * What CPR failing does to the overview: the CPR-backed fields of the citizen and of every case
 * party are null; the address too, since only CPR knows where the citizen lives. The case index's
 * cases, documents and party roles stay as seeded.
 */
export function withoutCpr(expected: ExpectedOverview) {
  return {
    ...expected,
    name: null,
    birthDate: null,
    address: null,
    relations: null,
    cases: expected.cases.map((c) => ({ ...c, parties: c.parties.map((p) => ({ role: p.role, citizen: { cpr: p.citizen.cpr, name: null } })) })),
  };
}

/**
 * Where the overview reports CPR failing (subgraphs/citizen/resolvers.ts): every CPR-backed field
 * asked for, the root citizen's and each case party's. The root `citizen` itself still resolves
 * (only NOT_FOUND nulls it). The address, which needs CPR's address key, fails at `address`: the
 * key (an internal field) carries CPR's failure to the property subgraph, which reports it there.
 */
export function cprFailurePaths(world: World, who: Person): (string | number)[][] {
  return [
    ['citizen', 'name'],
    ['citizen', 'birthDate'],
    ['citizen', 'address'],
    ['citizen', 'relations'],
    ...(world.casesByParty.get(who.cpr) ?? []).flatMap((id, i) => world.cases.get(id)!.parties.map((_p, j) => ['citizen', 'cases', i, 'parties', j, 'citizen', 'name'])),
  ];
}

/** Every subgraph is alive, the gateway finds each ready, and the overview is answered as seeded. */
export async function expectServedAsSeeded(on: LocalStack, who: Person) {
  for (const subgraph of on.subgraphs) {
    const health = await fetch(new URL('/health', subgraph.url));
    expect(health.status, subgraph.name).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', subgraph: subgraph.name });
  }
  const ready = await fetch(on.gateway.url.replace('/graphql', '/ready'));
  expect(ready.status).toBe(200);
  const { subgraphs } = (await ready.json()) as { subgraphs: Record<string, { status: string }> };
  expect(Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.status]))).toEqual(
    Object.fromEntries(on.subgraphs.map((s) => [s.name, 'ready'])),
  );
  const { status, body } = await postGraphQL(on.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(who.cpr) });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data?.citizen).toEqual(expectedOverview(on.world, who));
}
