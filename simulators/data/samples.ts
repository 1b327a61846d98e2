/** Well-chosen citizens of the synthetic world, for the quick start, tests and benchmarks. */
import type { Person, World } from './world';

/**
 * Per municipality, the first active, unprotected citizen with a spouse, children and at least
 * ten cases: the richest overview (family, address, building, shared case parties).
 */
export function sampleCitizens(world: World): Map<string, Person> {
  const samples = new Map<string, Person>();
  for (const person of world.persons.values()) {
    if (samples.has(person.municipalityCode)) continue;
    const caseCount = world.casesByParty.get(person.cpr)?.length ?? 0;
    if (person.status === 1 && !person.addressProtected && person.spouseCpr && person.childCprs.length > 0 && caseCount >= 10) {
      samples.set(person.municipalityCode, person);
    }
  }
  return samples;
}

/** The overview query every front-end team starts from. */
export const CITIZEN_OVERVIEW_QUERY = `query CitizenOverview($cpr: CPR!) {
  citizen(cpr: $cpr) {
    cpr
    name { given family full }
    birthDate
    address { id text postcode municipality { code name }
              building { id usage yearBuilt units { id area } } }
    relations { spouse { cpr name { full } } children { cpr name { full } } }
    cases { id number title status classification { number title }
            documents { id title date }
            parties { role citizen { cpr name { full } } } }
  }
}`;

/**
 * A citizen's own page (self-service): what a citizen may see of themselves, and nothing that is
 * another person's, so it answers without a single FORBIDDEN. Who the other parties of their cases
 * are is not theirs to see (only their roles); their family's names are; their NemKonto (masked)
 * is, under any purpose of theirs. Who looked them up is `GET /audit/me`, with the same token.
 */
export const CITIZEN_OWN_PAGE_QUERY = `query MyPage($cpr: CPR!) {
  citizen(cpr: $cpr) {
    name { full }
    address { text postcode municipality { name } }
    relations { spouse { name { full } } children { name { full } } }
    nemKonto { bank { name } accountNumberMasked }
    cases {
      number title status openedAt
      classification { title }
      procedure { name currentStep { name } nextSteps { name status } }
      documents { title date kind }
      parties { role }
    }
  }
}`;

/**
 * A caseworker's work list: the open cases of their own municipality, oldest first, a page at a
 * time (`endCursor` as `after` for the next). `scope` says the list is their municipality's only.
 */
export const CASE_LIST_QUERY = `query CaseList($first: Int, $after: String) {
  cases(filter: { status: [OPENED, INFORMED] }, first: $first, after: $after) {
    nodes { number title status openedAt classification { number title } }
    pageInfo { hasNextPage endCursor }
    scope { municipalityCode note }
  }
}`;
