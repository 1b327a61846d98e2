/**
 * A caseworker's case list through the graph (`Query.cases`): filtered by status, KLE subject,
 * party and opening date, alone and combined; paged with cursors through every case of their
 * municipality, oldest first, with no case twice and none missed; never another municipality's,
 * even from an index that answers more widely; refused to anybody but a caseworker, and in
 * words for a page too large or a cursor it did not give; recorded as a search for every party
 * of every case answered. And why `citizen(cpr:) { cases }` is empty for another municipality's
 * citizen: `casesScope`, which reads the same for every citizen.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash, type AuditTrail } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { Case, CaseStatus, Person } from '../../simulators/data/world';
import { startLocalStack } from '../../scripts/localStack';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let trail: AuditTrail;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { subjectKey } });
  trail = stack.trail!;
});
afterAll(() => stack?.close());

const LIST = `query List($filter: CaseFilter, $first: Int, $after: String) {
  cases(filter: $filter, first: $first, after: $after) {
    nodes { id number status openedAt municipalityCode classification { number } parties { role citizen { cpr } } }
    pageInfo { hasNextPage endCursor }
    scope { municipalityCode limitedToMunicipality note }
  }
}`;
const IDS = `query Ids($filter: CaseFilter, $first: Int, $after: String) {
  cases(filter: $filter, first: $first, after: $after) { nodes { id municipalityCode } pageInfo { hasNextPage endCursor } }
}`;

interface Page {
  nodes: { id: string; number: string; status: string; openedAt: string; municipalityCode: string; classification: { number: string } | null; parties: { role: string; citizen: { cpr: string } }[] }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  scope: { municipalityCode: string | null; limitedToMunicipality: boolean; note: string };
}

const GRAPH_STATUS: Record<CaseStatus, string> = { Opstaaet: 'OPENED', Oplyst: 'INFORMED', Afgjort: 'DECIDED', Afsluttet: 'CLOSED' };
const caseworker = (code: string) => stack.mint.caseworker(code, { purpose: 'P-27 Sagsoversigt' });

/** A municipality's cases as the list should show them: oldest first, then by case number (then id). */
function expected(code: string, keep: (c: Case) => boolean = () => true): Case[] {
  return [...stack.world.cases.values()]
    .filter((c) => c.municipalityCode === code && keep(c))
    .sort((a, b) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? -1 : 1) : a.number !== b.number ? (a.number < b.number ? -1 : 1) : a.id < b.id ? -1 : 1));
}

async function page(token: string, variables: Record<string, unknown>, query = LIST): Promise<Page> {
  const { body } = await stack.ask<{ cases: Page }>(token, query, variables);
  expect(body.errors).toBeUndefined();
  return body.data!.cases;
}

/** Every page of a list, following endCursor; the pages as answered. */
async function allPages(token: string, filter: Record<string, unknown> | undefined, first: number, query = LIST): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const answered: Page = await page(token, { filter, first, ...(after ? { after } : {}) }, query);
    pages.push(answered);
    after = answered.pageInfo.hasNextPage ? answered.pageInfo.endCursor : null;
    expect(pages.length).toBeLessThan(200);
  } while (after);
  return pages;
}

describe('a caseworker\'s case list', () => {
  it('pages through every case of the municipality, oldest first, none twice and none missed', { timeout: 180_000 }, async () => {
    const token = await caseworker('0751');
    stack.simulators.caseIndex.resetCalls();
    const pages = await allPages(token, undefined, 100, IDS);
    // One index call per page.
    expect(stack.simulators.caseIndex.callsTo('fremsoeg')).toHaveLength(pages.length);
    const ids = pages.flatMap((p) => p.nodes.map((n) => n.id));
    const all = expected('0751');
    expect(all.length).toBeGreaterThan(1_000);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(all.map((c) => c.id));
    expect(pages.every((p) => p.nodes.every((n) => n.municipalityCode === '0751'))).toBe(true);
    // Full pages until the last, which says nothing follows.
    expect(pages.slice(0, -1).every((p) => p.nodes.length === 100 && p.pageInfo.hasNextPage)).toBe(true);
    expect(pages.at(-1)!.pageInfo.hasNextPage).toBe(false);
  });

  it('answers the same page for the same cursor: the order is stable', async () => {
    const token = await caseworker('0101');
    const first = await page(token, { first: 7 });
    const second = await page(token, { first: 7, after: first.pageInfo.endCursor });
    const again = await page(token, { first: 7, after: first.pageInfo.endCursor });
    expect(again.nodes.map((n) => n.id)).toEqual(second.nodes.map((n) => n.id));
    expect([...first.nodes, ...second.nodes].map((n) => n.id)).toEqual(expected('0101').slice(0, 14).map((c) => c.id));
    // A cursor is where the list goes on, whatever page size asks next.
    const wider = await page(token, { first: 3, after: first.pageInfo.endCursor });
    expect(wider.nodes.map((n) => n.id)).toEqual(second.nodes.slice(0, 3).map((n) => n.id));
  });

  it('filters by status, KLE subject, party and opening date, each alone', async () => {
    const token = await caseworker('0101');
    const sample = sampleCitizens(stack.world).get('0101')!;
    const subject = expected('0101')[0]!.kle.number;
    const filters: [string, Record<string, unknown>, (c: Case) => boolean][] = [
      ['status', { status: ['INFORMED'] }, (c) => c.status === 'Oplyst'],
      ['classification', { classification: subject }, (c) => c.kle.number === subject],
      ['party', { party: formatCpr(sample.cpr) }, (c) => c.parties.some((p) => p.cpr === sample.cpr)],
      ['opened from', { openedFrom: '2026-06-01' }, (c) => c.openedAt >= '2026-06-01'],
      ['opened to', { openedTo: '2019-02-28' }, (c) => c.openedAt <= '2019-02-28'],
    ];
    for (const [name, filter, keep] of filters) {
      const want = expected('0101', keep);
      expect(want.length, name).toBeGreaterThan(0);
      const answered = await page(token, { filter, first: 100 });
      expect(answered.nodes.map((n) => n.id), name).toEqual(want.slice(0, 100).map((c) => c.id));
      expect(answered.pageInfo.hasNextPage, name).toBe(want.length > 100);
    }
    // What the filters asked for is what the cases show.
    const informed = await page(token, { filter: { status: ['INFORMED', 'DECIDED'] }, first: 50 });
    expect(new Set(informed.nodes.map((n) => n.status))).toEqual(new Set(['INFORMED', 'DECIDED']));
    const byParty = await page(token, { filter: { party: formatCpr(sample.cpr) }, first: 100 });
    expect(byParty.nodes.every((n) => n.parties.some((p) => p.citizen.cpr === formatCpr(sample.cpr)))).toBe(true);
  });

  it('filters by every criterion at once, and pages through what they leave', async () => {
    const token = await caseworker('0101');
    const kase = expected('0101').find((c) => c.status === 'Afgjort' && c.openedAt >= '2021-01-01')!;
    const opened = kase.openedAt;
    const keep = (c: Case) =>
      (c.status === 'Afgjort' || c.status === 'Oplyst') && c.kle.number === kase.kle.number && c.openedAt >= `${opened.slice(0, 4)}-01-01` && c.openedAt <= opened;
    const want = expected('0101', keep);
    const filter = { status: ['DECIDED', 'INFORMED'], classification: kase.kle.number, openedFrom: `${opened.slice(0, 4)}-01-01`, openedTo: opened };
    const pages = await allPages(token, filter, 2);
    expect(pages.flatMap((p) => p.nodes.map((n) => n.id))).toEqual(want.map((c) => c.id));
    expect(pages.flatMap((p) => p.nodes.map((n) => n.id))).toContain(kase.id);
    for (const n of pages.flatMap((p) => p.nodes)) {
      expect(['DECIDED', 'INFORMED']).toContain(n.status);
      expect(n.classification?.number).toBe(kase.kle.number);
      expect(n.openedAt <= opened && n.openedAt >= filter.openedFrom).toBe(true);
    }
    // With a party too: the sample citizen's decided cases.
    const sample = sampleCitizens(stack.world).get('0101')!;
    const theirs = await page(token, { filter: { party: formatCpr(sample.cpr), status: ['DECIDED'] }, first: 100 });
    expect(theirs.nodes.map((n) => n.id)).toEqual(expected('0101', (c) => c.status === 'Afgjort' && c.parties.some((p) => p.cpr === sample.cpr)).map((c) => c.id));
  });

  it('answers the README\'s example as it is written', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```graphql\n(query CaseList[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const { body } = await stack.ask<{ cases: Page }>(await caseworker('0101'), example!, {});
    expect(body.errors).toBeUndefined();
    const want = expected('0101', (c) => (c.status === 'Opstaaet' || c.status === 'Oplyst') && c.kle.number === '32.18.04' && c.openedAt >= '2026-01-01');
    expect(want.length).toBeGreaterThan(0);
    expect(body.data!.cases.nodes.map((n) => n.id)).toEqual(want.map((c) => c.id));
    expect(body.data!.cases.scope.note).toMatch(/^Shows only cases of municipality 0101/);
  });

  it('asks the index under the caller\'s AuthorityContext, sorted, one page (and one case more) at a time', async () => {
    const index = stack.simulators.caseIndex;
    index.resetCalls();
    await page(await caseworker('0101'), { filter: { status: ['CLOSED'] }, first: 10 });
    const calls = index.callsTo('fremsoeg');
    expect(calls).toHaveLength(1);
    const sent = calls[0]!.requestBody;
    expect(sent).toMatch(/<([\w-]+:)?MunicipalityCVR>64942212<\/([\w-]+:)?MunicipalityCVR>/);
    expect(sent).toMatch(/<([\w-]+:)?FoersteResultatReference>0<\//);
    expect(sent).toMatch(/<([\w-]+:)?MaksimalAntalKvantitet>11<\//);
    expect(sent).toMatch(/<([\w-]+:)?Element>Registreringstidspunkt<\//);
  });
});

describe('tenancy', () => {
  it('never shows another municipality\'s cases, not even searched for by their party', async () => {
    const aarhusian = sampleCitizens(stack.world).get('0751')!;
    const token = await caseworker('0101');
    const { body, text } = await stack.ask<{ cases: Page }>(token, LIST, { filter: { party: formatCpr(aarhusian.cpr) }, first: 100 });
    expect(body.errors).toBeUndefined();
    expect(body.data?.cases.nodes).toEqual([]);
    expect(body.data?.cases.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    for (const id of stack.world.casesByParty.get(aarhusian.cpr)!) expect(text).not.toContain(stack.world.cases.get(id)!.number);
    // Their own caseworker finds them.
    const own = await page(await caseworker('0751'), { filter: { party: formatCpr(aarhusian.cpr) }, first: 100 });
    expect(own.nodes.map((n) => n.id)).toEqual(expected('0751', (c) => c.parties.some((p) => p.cpr === aarhusian.cpr)).map((c) => c.id));
  });

  it('holds when the case index answers more widely than the asking municipality: the answer is checked again', { timeout: 60_000 }, async () => {
    const wide = await startLocalStack({ latencyMs: noLatency, devIdentityDir: stack.idpDir, caseIndex: { ignoreAuthorityContext: true } });
    try {
      const authorization = `Bearer ${await wide.devIdentity!.mint({ role: 'caseworker', sub: 'kw-0101', municipality: '0101', purpose: 'P-27' })}`;
      const aarhusian = sampleCitizens(wide.world).get('0751')!;
      const foreign = await postGraphQL<{ cases: Page }>(wide.gateway.url, LIST, { filter: { party: formatCpr(aarhusian.cpr) }, first: 100 }, { authorization });
      expect(foreign.body.data?.cases.nodes).toEqual([]);
      for (const id of wide.world.casesByParty.get(aarhusian.cpr)!) expect(foreign.text).not.toContain(wide.world.cases.get(id)!.number);
      // Unfiltered, the wide index answers every municipality's cases in one order; the list shows 0101's alone, and pages on past the rest.
      const seen: Page['nodes'] = [];
      let after: string | null = null;
      for (let i = 0; i < 3; i++) {
        const answered: { body: { data?: { cases: Page } | null } } = await postGraphQL<{ cases: Page }>(wide.gateway.url, LIST, { first: 50, ...(after ? { after } : {}) }, { authorization });
        const cases: Page = answered.body.data!.cases;
        seen.push(...cases.nodes);
        after = cases.pageInfo.endCursor;
      }
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBeLessThan(150);
      expect(seen.every((n) => n.municipalityCode === '0101')).toBe(true);
      const everyone = [...wide.world.cases.values()].sort((a, b) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? -1 : 1) : a.number !== b.number ? (a.number < b.number ? -1 : 1) : a.id < b.id ? -1 : 1));
      expect(seen.map((n) => n.id)).toEqual(everyone.slice(0, 150).filter((c) => c.municipalityCode === '0101').map((c) => c.id));
    } finally {
      await wide.close();
    }
  });

  it('says why citizen(cpr:) { cases } is empty, the same for every citizen: "only cases of municipality 0101"', async () => {
    const samples = sampleCitizens(stack.world);
    const aarhusian = samples.get('0751')!;
    const copenhagener = samples.get('0101')!;
    const nobody = [...stack.world.persons.values()].find((p) => !stack.world.casesByParty.has(p.cpr) && p.municipalityCode === '0751')!;
    const QUERY = 'query Scope($cpr: CPR!) { citizen(cpr: $cpr) { cases { id } casesScope { municipalityCode limitedToMunicipality note } } }';
    const token = await caseworker('0101');
    const answers = new Map<string, { cases: { id: string }[]; casesScope: Page['scope'] }>();
    let elsewhereText = '';
    stack.simulators.caseIndex.resetCalls();
    for (const person of [aarhusian, nobody, copenhagener] as Person[]) {
      const { body, text } = await stack.ask<{ citizen: { cases: { id: string }[]; casesScope: Page['scope'] } }>(token, QUERY, { cpr: formatCpr(person.cpr) });
      expect(body.errors).toBeUndefined();
      answers.set(person.cpr, body.data!.citizen);
      if (person === aarhusian) elsewhereText = text;
    }
    // The index was asked once per citizen, each time on København's behalf only: never more widely to find out more.
    const asked = stack.simulators.caseIndex.callsTo('fremsoeg');
    expect(asked).toHaveLength(3);
    for (const call of asked) expect(call.requestBody).toMatch(/<([\w-]+:)?MunicipalityCVR>64942212<\//);
    const elsewhere = answers.get(aarhusian.cpr)!;
    expect(elsewhere.cases).toEqual([]);
    expect(elsewhere.casesScope).toEqual({
      municipalityCode: '0101',
      limitedToMunicipality: true,
      note: expect.stringContaining('only cases of municipality 0101'),
    });
    // Cases elsewhere, none at all, cases here: the statement does not change, so it tells nothing of them.
    expect(answers.get(nobody.cpr)!.cases).toEqual([]);
    expect(answers.get(nobody.cpr)!.casesScope).toEqual(elsewhere.casesScope);
    expect(answers.get(copenhagener.cpr)!.cases.length).toBeGreaterThan(0);
    expect(answers.get(copenhagener.cpr)!.casesScope).toEqual(elsewhere.casesScope);
    expect(elsewhereText).not.toMatch(/0751|Aarhus/);
    // The citizen's own caseworker is limited to their own municipality too; the citizen is not.
    const own = await stack.ask(await caseworker('0751'), QUERY, { cpr: formatCpr(aarhusian.cpr) });
    expect(own.body.data?.citizen.cases.length).toBe(stack.world.casesByParty.get(aarhusian.cpr)!.length);
    expect(own.body.data?.citizen.casesScope).toMatchObject({ municipalityCode: '0751', limitedToMunicipality: true });
    const self = await stack.ask(await stack.mint.citizen(formatCpr(aarhusian.cpr)), QUERY, { cpr: formatCpr(aarhusian.cpr) });
    expect(self.body.errors).toBeUndefined();
    expect(self.body.data?.citizen.casesScope).toMatchObject({ municipalityCode: null, limitedToMunicipality: false });
  });

  it('gives every page of the case list the same scope', async () => {
    const answered = await page(await caseworker('0101'), { first: 1 });
    expect(answered.scope).toEqual({ municipalityCode: '0101', limitedToMunicipality: true, note: expect.stringContaining('only cases of municipality 0101') });
  });
});

describe('refusals', () => {
  it('is for caseworkers: a citizen, a service and an anonymous caller are refused, and the index is not asked', async () => {
    const index = stack.simulators.caseIndex;
    index.resetCalls();
    const citizen = sampleCitizens(stack.world).get('0101')!;
    const asCitizen = await stack.ask(await stack.mint.citizen(formatCpr(citizen.cpr)), LIST, { first: 5 });
    expect(asCitizen.body.data?.cases ?? null).toBeNull();
    expect(asCitizen.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/Query\.cases.*the role caseworker/) });
    // Allowed personal data and cases:read, which opens case(id:): the list is a caseworker's still.
    const asService = await stack.ask(await stack.mint.service('personal-data:read cases:read'), LIST, { first: 5 });
    expect(asService.body.data?.cases ?? null).toBeNull();
    expect(asService.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/Query\.cases.*the role caseworker/) });
    const anonymous = await postGraphQL(stack.gateway.url, LIST, { first: 5 });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(index.callsTo('fremsoeg')).toHaveLength(0);
  });

  it('refuses in words a page larger than 100, a cursor it did not give, and a KLE group, before asking the index', async () => {
    const token = await caseworker('0101');
    const index = stack.simulators.caseIndex;
    const first = await page(token, { filter: { status: ['INFORMED'] }, first: 5 });
    const cursor = first.pageInfo.endCursor!;
    const tampered = Buffer.from(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^c1\.(\d+)\./, 'c1.4000.'), 'utf8').toString('base64url');
    index.resetCalls();
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ first: 101 }, /^first may be at most 100 cases per page/],
      [{ first: 0 }, /^first must be at least 1/],
      [{ first: 5, after: 'not-a-cursor' }, /^after is not a cursor of this case list/],
      [{ first: 5, after: tampered }, /^after is not a cursor of this case list/],
      // A cursor of another list (here: without the status filter) goes on from nowhere it belongs.
      [{ first: 5, after: cursor }, /^after is not a cursor of this case list/],
      [{ filter: { classification: '27.12' }, first: 5 }, /KLE subject number.*not by group/],
      [{ filter: { openedFrom: '2024-02-01', openedTo: '2024-01-01' }, first: 5 }, /openedFrom is after filter\.openedTo/],
    ];
    for (const [variables, message] of refusals) {
      const { status, body } = await stack.ask(token, LIST, variables);
      expect(status, JSON.stringify(variables)).toBe(200);
      expect(body.data, JSON.stringify(variables)).toEqual({ cases: null });
      expect(body.errors?.[0], JSON.stringify(variables)).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' }, path: ['cases'] });
    }
    expect(index.callsTo('fremsoeg')).toHaveLength(0);
  });
});

describe('the access trail', () => {
  it('records a search for every party of every case answered, and the party searched for', async () => {
    const token = await caseworker('0101');
    const answered = await page(token, { filter: { status: ['DECIDED'] }, first: 4 });
    const parties = new Set(answered.nodes.flatMap((n) => n.parties.map((p) => p.citizen.cpr.replace('-', ''))));
    expect(parties.size).toBeGreaterThanOrEqual(4);
    for (const cpr of parties) {
      const records = (await trail.find({ subject: subjectHash(subjectKey, cpr) })).filter((r) => r.operationName === 'List');
      expect(records.at(-1), cpr).toMatchObject({ typeOfUse: 'search', outcome: 'ok', tenant: '0101', fields: expect.arrayContaining(['Query.cases']), systems: ['case-index'] });
    }
    // Only ids asked for: the search itself is still an access to each party's data.
    const bare = await page(token, { filter: { status: ['CLOSED'] }, first: 3 }, 'query Bare($filter: CaseFilter, $first: Int) { cases(filter: $filter, first: $first) { nodes { id } pageInfo { hasNextPage } } }');
    const kase = stack.world.cases.get(bare.nodes[0]!.id)!;
    const records = (await trail.find({ subject: subjectHash(subjectKey, kase.parties[0]!.cpr) })).filter((r) => r.operationName === 'Bare');
    expect(records.at(-1)).toMatchObject({ typeOfUse: 'search', fields: ['Query.cases'] });
    // Searching for another municipality's citizen finds nothing, and is recorded for them all the same.
    const aarhusian = sampleCitizens(stack.world).get('0751')!;
    await page(token, { filter: { party: formatCpr(aarhusian.cpr) }, first: 5 }, IDS);
    const searched = (await trail.find({ subject: subjectHash(subjectKey, aarhusian.cpr) })).filter((r) => r.operationName === 'Ids');
    expect(searched.at(-1)).toMatchObject({ typeOfUse: 'search', tenant: '0101', fields: expect.arrayContaining(['Query.cases']) });
  });
});
