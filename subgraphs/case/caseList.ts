/**
 * A caseworker's case list (`Query.cases`): its arguments read and bounded, its cursors, and
 * which page of the index's answer it shows. Pure: the resolver asks the index and records.
 *
 * Paging follows the case index's own (SF1470 sd:SoegInputType): an offset into a search sorted
 * the same way on every call (FoersteResultatReference, MaksimalAntalKvantitet). A cursor is that
 * offset, bound to the list it came from.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { CaseCriteria, CaseIndexEntry, CaseProgress } from '../../adapters/case-index';

/** The most cases one page may ask for: a page is one index call, and every case on it one access record per party. */
export const MAX_CASES_PER_PAGE = 100;
/** Cases per page when `first` is not given (the schema's default says the same). */
export const DEFAULT_CASES_PER_PAGE = 20;
/** The furthest offset a cursor may carry: far beyond any municipality's cases, short of abuse. */
const MAX_OFFSET = 999_999_999;

/** The graph's CaseStatus values as FremdriftStatusKode. */
const PROGRESS_OF: Readonly<Record<string, CaseProgress>> = {
  OPENED: 'Opstaaet',
  INFORMED: 'Oplyst',
  DECIDED: 'Afgjort',
  CLOSED: 'Afsluttet',
  ORDERED: 'Bestilt',
  CARRIED_OUT: 'Udfoert',
};

/** A KLE subject number (emnenummer): main group, group, subject. */
const KLE_SUBJECT = /^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$/;

/** `Query.cases` arguments as GraphQL gives them (the CPR scalar has made `party` ten digits). */
export interface CaseListArgs {
  filter?: {
    status?: readonly string[] | null;
    classification?: string | null;
    party?: string | null;
    openedFrom?: string | null;
    openedTo?: string | null;
  } | null;
  first?: number | null;
  after?: string | null;
}

/** A case list request, read and bounded. */
export interface CaseListRequest {
  criteria: CaseCriteria;
  /** Cases to skip: where the cursor said the list goes on. */
  offset: number;
  first: number;
  /** What a cursor of this list is bound to: the caller's municipality and the criteria. */
  listKey: string;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/**
 * The request `args` make for a caller of municipality `tenant`, or BAD_USER_INPUT saying what is
 * wrong. Messages name the argument and the rule, never the value given (a party is a CPR number).
 */
export function readCaseListArgs(args: CaseListArgs, tenant: string): CaseListRequest {
  const first = args.first ?? DEFAULT_CASES_PER_PAGE;
  if (!Number.isInteger(first) || first < 1) throw badInput('first must be at least 1.');
  if (first > MAX_CASES_PER_PAGE) {
    throw badInput(`first may be at most ${MAX_CASES_PER_PAGE} cases per page; ask for the next page with after: pageInfo.endCursor.`);
  }
  const criteria = criteriaOf(args.filter ?? {});
  const listKey = JSON.stringify([tenant, criteria.partyCpr ?? null, criteria.statuses ?? null, criteria.classification ?? null, criteria.openedFrom ?? null, criteria.openedTo ?? null]);
  const offset = args.after === undefined || args.after === null ? 0 : offsetOf(args.after, listKey);
  return { criteria, offset, first, listKey };
}

function criteriaOf(filter: NonNullable<CaseListArgs['filter']>): CaseCriteria {
  const criteria: CaseCriteria = {};
  if (filter.status !== undefined && filter.status !== null) {
    if (filter.status.length === 0) throw badInput('filter.status, when given, must name at least one status.');
    // Sorted and once each: the same statuses make the same list, and the same cursors.
    criteria.statuses = [...new Set(filter.status.map((s) => PROGRESS_OF[s]).filter((p): p is CaseProgress => p !== undefined))].sort();
  }
  if (filter.classification !== undefined && filter.classification !== null) {
    if (!KLE_SUBJECT.test(filter.classification)) {
      // SF1470 matches a Sagsklasse's key exactly; it has no prefix search, so a group cannot be asked for.
      throw badInput('filter.classification must be a KLE subject number, NN.NN.NN such as 27.12.04: the case index is searched by subject, not by group or main group.');
    }
    criteria.classification = filter.classification;
  }
  if (filter.party !== undefined && filter.party !== null) criteria.partyCpr = filter.party;
  if (filter.openedFrom !== undefined && filter.openedFrom !== null) criteria.openedFrom = filter.openedFrom;
  if (filter.openedTo !== undefined && filter.openedTo !== null) criteria.openedTo = filter.openedTo;
  if (criteria.openedFrom !== undefined && criteria.openedTo !== undefined && criteria.openedFrom > criteria.openedTo) {
    throw badInput('filter.openedFrom is after filter.openedTo: no case arose in that period.');
  }
  return criteria;
}

const CURSOR = /^c1\.([0-9]{1,9})\.([A-Za-z0-9_-]{22})$/;

/**
 * The cursor for going on from `offset` in the list `listKey`: opaque to clients (base64url), and
 * checked when it comes back. Its check is a hash of the offset and the list, not a secret: the
 * subgraph runs as replicas that share no key, and nothing is gained by forging one, since an
 * offset only says where to resume a list the caller may read from its start anyway. What the
 * check does stop is a cursor used for another list (another filter, another municipality) or
 * one edited by hand, which would otherwise page silently through something else.
 */
export function cursorFor(offset: number, listKey: string): string {
  return Buffer.from(`c1.${offset}.${bindingOf(offset, listKey)}`, 'utf8').toString('base64url');
}

/**
 * The offset a cursor of the list `listKey` carries, or BAD_USER_INPUT with `refusal` (by default
 * the case list's words) for anything else. Other lists of the graph page with these cursors too
 * (`publicDocuments.ts`), each with a list key of its own.
 */
export function offsetOf(
  cursor: string,
  listKey: string,
  refusal = 'after is not a cursor of this case list: pass the pageInfo.endCursor of the page before, with the same filter.',
): number {
  const text = /^[A-Za-z0-9_-]{1,100}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = CURSOR.exec(text);
  const offset = match ? Number(match[1]) : Number.NaN;
  if (!match || offset > MAX_OFFSET || match[2] !== bindingOf(offset, listKey)) throw badInput(refusal);
  return offset;
}

function bindingOf(offset: number, listKey: string): string {
  return createHash('sha256').update(`case-list/1\n${offset}\n${listKey}`).digest('base64url').slice(0, 22);
}

/** One page of the list as the graph shows it. */
export interface CaseListPage<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Where the next page starts in the index's answer. */
  nextOffset: number;
  /** How many of the index's entries this page took (shown or not). */
  consumed: number;
}

/**
 * The page `request` shows of the index's answer, which was asked for `first + 1` entries: the
 * one beyond says another page follows without trusting the index's count. The count (sdi:Antal)
 * says so too, and is needed for an index that answers fewer than asked (a limit of its own):
 * then the next page starts after what it did answer, so nothing is skipped.
 *
 * `shown` is the graph's own check of each entry (tenancy, the criteria again): an entry it
 * refuses still counts as read, so offsets stay those of the index's answer, and paging stays
 * free of gaps and repeats even over an index that answers more than was asked.
 *
 * Any list paged by offset over a system that counts its answer pages this way (an index's
 * CaseSearchPage, an ESDH's public papers): `E` is what the system answers.
 */
export function pageOf<T, E = CaseIndexEntry>(
  answer: { readonly entries: readonly E[]; readonly total: number | null },
  request: Pick<CaseListRequest, 'offset' | 'first'>,
  shown: (entry: E) => T | undefined,
): CaseListPage<T> {
  const consumed = Math.min(answer.entries.length, request.first);
  const nodes = answer.entries.slice(0, consumed).flatMap((entry) => {
    const node = shown(entry);
    return node === undefined ? [] : [node];
  });
  const more = answer.entries.length > request.first || (answer.total !== null && request.offset + consumed < answer.total);
  // An index that answers nothing while its count says more would have the client ask the same page forever.
  return { nodes, hasNextPage: consumed > 0 && more, nextOffset: request.offset + consumed, consumed };
}

/**
 * Whether an entry meets the criteria, read off the entry as the index described it: the index is
 * asked for exactly this, and its answer is checked as tenancy is (a case the index shows wider
 * than asked never reaches the caller).
 */
export function meetsCriteria(entry: CaseIndexEntry, criteria: CaseCriteria): boolean {
  if (criteria.partyCpr !== undefined && !entry.parties.some((p) => p.cpr === criteria.partyCpr)) return false;
  if (criteria.statuses !== undefined && (entry.status === null || !criteria.statuses.includes(entry.status))) return false;
  if (criteria.classification !== undefined && entry.classification?.number !== criteria.classification) return false;
  if (criteria.openedFrom !== undefined && (entry.openedAt === null || entry.openedAt < criteria.openedFrom)) return false;
  if (criteria.openedTo !== undefined && (entry.openedAt === null || entry.openedAt > criteria.openedTo)) return false;
  return true;
}

/**
 * Which cases a list shows its caller: for a caller acting for a municipality, that municipality's
 * only. It is worked out from the caller alone, never from what the index holds, so it reads the
 * same whether or not the citizen has cases elsewhere: see the design note in resolvers.ts.
 */
export function caseListScope(tenant: string | null, municipalityName: string | undefined) {
  if (!tenant) {
    return { municipalityCode: null, limitedToMunicipality: false, note: 'Shows cases of every municipality the caller may see.' };
  }
  const named = municipalityName ? `${tenant} (${municipalityName})` : tenant;
  return {
    municipalityCode: tenant,
    limitedToMunicipality: true,
    note: `Shows only cases of municipality ${named}, the caller's own. Cases held by other municipalities are never shown here, and whether there are any is not said.`,
  };
}
