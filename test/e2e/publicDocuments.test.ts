/**
 * A municipality's public documents through the gateway, as its website would list them:
 * answered without a token, exactly what its ESDH marks public (and nothing it keeps closed, no
 * citizen's document), paged with the graph's cursors, the same with a token, and never recorded
 * in the access trail, for nothing in them is personal. A municipality the graph does not serve,
 * and one whose ESDH cannot publish (Odense's Acadre v7), are NOT_FOUND at the field, each saying
 * which. The public part opens no way to personal data: an anonymous operation that adds a
 * personal field is refused whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditTrail } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { MunicipalPaper } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL, type GraphQLResponse } from '../support/graphql';

let stack: AuthedStack;
let trail: AuditTrail;

beforeAll(async () => {
  stack = await startAuthedStack({ audit: true, legacy: { timeoutMs: 300, resilience: { maxRetries: 1, breakerThreshold: 1_000 } } });
  trail = stack.trail!;
});
afterAll(() => stack?.close());

const LIST = `query PublicDocuments($municipality: String!, $first: Int, $after: String) {
  publicDocuments(municipality: $municipality, first: $first, after: $after) {
    nodes { id title date kind committee meetingDate caseTitle format }
    pageInfo { hasNextPage endCursor }
    municipalityCode
    municipalityName
  }
}`;

interface Page {
  publicDocuments: {
    nodes: { id: string; title: string }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    municipalityCode: string;
    municipalityName: string | null;
  } | null;
}

/** Without a token, as a website asks. */
const anonymously = (variables: Record<string, unknown>, query = LIST): Promise<GraphQLResponse<Page>> => postGraphQL<Page>(stack.gateway.url, query, variables);

const papersOf = (code: string): readonly MunicipalPaper[] => stack.world.municipalPapers?.get(code) ?? [];
/** What the municipality publishes, as the graph shows it: the world's public papers, newest first, ties by id. */
const published = (code: string) =>
  papersOf(code)
    .filter((p) => p.public)
    .sort((a, b) => b.date.localeCompare(a.date) || a.id.localeCompare(b.id))
    .map((p) => ({ id: p.id, title: p.title, date: p.date, kind: p.kind, committee: p.committee, meetingDate: p.meetingDate, caseTitle: p.caseTitle, format: 'application/pdf' }));
const esdh = (code: string) => stack.simulators.esdh.get(code)!;
const listCalls = (code: string) => esdh(code).callsTo('offentlige-dokumenter').map((c) => c.key);

/** Every page, following the cursors, with the first answer's status and errors of each. */
async function wholeList(code: string, first: number, ask = anonymously) {
  const nodes: unknown[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const { status, body } = await ask({ municipality: code, first, after });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const page = body.data!.publicDocuments!;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { nodes, pages: pages + 1 };
    after = page.pageInfo.endCursor;
  }
  throw new Error('the list did not end');
}

describe('public documents, without a token', () => {
  it('answers a caller without a token with the municipality\'s public documents, exactly as its ESDH publishes them, newest first', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const { status, body } = await anonymously({ municipality: '0101', first: 10 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const expected = published('0101');
    expect(expected.length).toBeGreaterThan(30);
    expect(body.data!.publicDocuments).toEqual({
      nodes: expected.slice(0, 10),
      pageInfo: { hasNextPage: true, endCursor: expect.any(String) },
      municipalityCode: '0101',
      municipalityName: 'København',
    });
    // One ESDH call for the page (and one paper more, to tell that another page follows); no case, no citizen looked up.
    expect(listCalls('0101')).toEqual(['0+11']);
    for (const system of [stack.simulators.cpr, stack.simulators.caseIndex]) expect(system.calls).toHaveLength(0);
  });

  it('pages through the whole list with the cursors it gives: every document once, in order, one ESDH call a page', async () => {
    for (const code of ['0101', '0751']) {
      esdh(code).resetCalls();
      const expected = published(code);
      const { nodes, pages } = await wholeList(code, 25);
      expect(nodes).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 25));
      expect(listCalls(code)).toEqual(Array.from({ length: pages }, (_, i) => `${i * 25}+26`));
    }
  });

  it('refuses, before asking the ESDH, a cursor of another municipality\'s list, one made up, a page too large and a code that is no municipality code', async () => {
    const first = await anonymously({ municipality: '0101', first: 5 });
    const cursor = first.body.data!.publicDocuments!.pageInfo.endCursor;
    for (const code of ['0101', '0751']) esdh(code).resetCalls();
    for (const variables of [
      { municipality: '0751', first: 5, after: cursor },
      { municipality: '0101', first: 5, after: 'YzEuNS5mb3JnZWQ' },
      { municipality: '0101', first: 101 },
      { municipality: '0101601234' },
    ]) {
      const { status, body } = await anonymously(variables);
      expect(status).toBe(200);
      expect(body.data).toEqual({ publicDocuments: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]).toMatchObject({ path: ['publicDocuments'], extensions: { code: 'BAD_USER_INPUT' } });
      expect(body.errors![0]!.message).not.toContain('0101601234');
    }
    expect([...listCalls('0101'), ...listCalls('0751')]).toEqual([]);
  });

  it('is NOT_FOUND for a municipality the graph does not serve, and for one whose ESDH does not publish (Odense, Acadre v7), each saying which', async () => {
    const odense = esdh('0461');
    odense.resetCalls();
    const unknown = await anonymously({ municipality: '9999' });
    expect(unknown.body.data).toEqual({ publicDocuments: null });
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ path: ['publicDocuments'], message: 'esdh: this graph serves no municipality 9999', extensions: expect.objectContaining({ code: 'NOT_FOUND', system: 'esdh' }) }),
    ]);
    const acadre = await anonymously({ municipality: '0461' });
    expect(acadre.body.data).toEqual({ publicDocuments: null });
    expect(acadre.body.errors).toEqual([
      expect.objectContaining({
        path: ['publicDocuments'],
        message: 'esdh: municipality 0461 (Odense) does not publish documents through the graph: its case system offers no list of public documents',
        extensions: expect.objectContaining({ code: 'NOT_FOUND', system: 'esdh' }),
      }),
    ]);
    // Acadre is not asked at all: its contract has no search for public papers (adapters/esdh/acadre.ts).
    expect(odense.calls.filter((c) => c.operation !== 'wsdl')).toEqual([]);
  });

  it('never shows a private document: no paper the ESDH keeps closed, no citizen\'s document, nothing with a CPR number', async () => {
    for (const code of ['0101', '0751']) {
      const { nodes } = await wholeList(code, 100);
      const ids = new Set((nodes as { id: string }[]).map((n) => n.id));
      const closed = papersOf(code).filter((p) => !p.public);
      expect(closed.length).toBeGreaterThan(0);
      for (const paper of closed) expect(ids.has(paper.id), paper.title).toBe(false);
      expect([...ids].filter((id) => stack.world.documents.has(id))).toEqual([]);
      const text = JSON.stringify(nodes);
      expect(text).not.toMatch(/Lukket punkt|enkeltpersoner/);
      expect(text).not.toMatch(/\b\d{6}-?\d{4}\b/);
    }
  });

  it('is answered the same with a token: a caseworker of another municipality, a citizen, a service', async () => {
    const anonymous = await anonymously({ municipality: '0101', first: 30 });
    const citizen = sampleCitizens(stack.world).get('0751')!;
    for (const token of [await stack.mint.caseworker('0751'), await stack.mint.citizen(citizen.cpr), await stack.mint.service('cases:read')]) {
      const { status, body } = await stack.ask<Page>(token, LIST, { municipality: '0101', first: 30 });
      expect(status).toBe(200);
      expect(body).toEqual(anonymous.body);
    }
  });

  it('records nothing in the access trail, with a token or without: nothing in it is personal (while a personal read is recorded)', async () => {
    expect(await trail.find({})).toEqual([]);
    await anonymously({ municipality: '0101', first: 5 });
    await anonymously({ municipality: '9999' });
    await stack.ask(await stack.mint.caseworker('0101'), LIST, { municipality: '0751', first: 5 });
    expect(await trail.find({})).toEqual([]);
    // The trail records here: a caseworker's look-up of a citizen is on it at once.
    const citizen = sampleCitizens(stack.world).get('0101')!;
    const personal = await stack.ask(await stack.mint.caseworker('0101'), 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }', { cpr: formatCpr(citizen.cpr) });
    expect(personal.body.errors).toBeUndefined();
    expect((await trail.find({})).map((r) => r.fields)).toEqual([expect.arrayContaining(['Query.citizen'])]);
  });

  it('opens no way to personal data: an anonymous operation that adds a personal field is refused whole, and no ESDH is asked', async () => {
    const citizen = sampleCitizens(stack.world).get('0101')!;
    esdh('0101').resetCalls();
    const { status, body } = await anonymously(
      { cpr: formatCpr(citizen.cpr) },
      'query($cpr: CPR!) { publicDocuments(municipality: "0101") { nodes { id } } citizen(cpr: $cpr) { name { full } } }',
    );
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(listCalls('0101')).toEqual([]);
  });

  it('nulls only the public documents when the ESDH fails (LEGACY_UNAVAILABLE); the rest of the answer stands', async () => {
    const address = [...stack.world.addresses.values()][0]!;
    esdh('0101').setFault('http500');
    try {
      const { status, body } = await anonymously({ id: address.id }, 'query($id: ID!) { publicDocuments(municipality: "0101") { nodes { id } } address(id: $id) { text } }');
      expect(status).toBe(200);
      expect(body.data).toEqual({ publicDocuments: null, address: { text: address.text } });
      expect(body.errors).toEqual([expect.objectContaining({ path: ['publicDocuments'], extensions: expect.objectContaining({ code: 'LEGACY_UNAVAILABLE', system: 'esdh' }) })]);
    } finally {
      esdh('0101').setFault('none');
    }
  });
});
