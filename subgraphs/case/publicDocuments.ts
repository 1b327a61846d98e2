/**
 * A municipality's public papers (`Query.publicDocuments`): its arguments read and bounded, and
 * the page it shows of its ESDH's answer. Pure: the resolver asks the ESDH.
 *
 * The public part of the graph. It holds nothing personal: a paper is what the ESDH marks public
 * and publishes (title, date, kind, committee and meeting, the matter's published title), with no
 * case, no party and no CPR number, so it is answered to callers without a token, and no access is
 * recorded for it. Paging is the case list's (`caseList.ts`): an offset into a list sorted the same
 * way on every call, carried by a cursor bound to the list it came from.
 */
import { GraphQLError } from 'graphql';
import type { PublicDocumentPage, PublicDocumentRecord } from '../../adapters/esdh';
import { cursorFor, offsetOf, pageOf } from './caseList';

/** The most papers one page may ask for: a page is one ESDH call. */
export const MAX_PUBLIC_DOCUMENTS_PER_PAGE = 100;
/** Papers per page when `first` is not given (the schema's default says the same). */
export const DEFAULT_PUBLIC_DOCUMENTS_PER_PAGE = 20;

/** A kommunekode: four digits. */
const MUNICIPALITY_CODE = /^[0-9]{4}$/;

/** `Query.publicDocuments` arguments as GraphQL gives them. */
export interface PublicDocumentsArgs {
  municipality: string;
  first?: number | null;
  after?: string | null;
}

/** A request for a page of public papers, read and bounded. */
export interface PublicDocumentsRequest {
  municipality: string;
  /** Papers to skip: where the cursor said the list goes on. */
  offset: number;
  first: number;
  /** What a cursor of this list is bound to: the municipality. */
  listKey: string;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/**
 * The request `args` make, or BAD_USER_INPUT saying what is wrong. Messages name the argument and
 * the rule, never the value given: a client may put anything in a string, a CPR number too.
 */
export function readPublicDocumentsArgs(args: PublicDocumentsArgs): PublicDocumentsRequest {
  if (!MUNICIPALITY_CODE.test(args.municipality)) throw badInput('municipality must be a municipality code (kommunekode), four digits such as 0101.');
  const first = args.first ?? DEFAULT_PUBLIC_DOCUMENTS_PER_PAGE;
  if (!Number.isInteger(first) || first < 1) throw badInput('first must be at least 1.');
  if (first > MAX_PUBLIC_DOCUMENTS_PER_PAGE) {
    throw badInput(`first may be at most ${MAX_PUBLIC_DOCUMENTS_PER_PAGE} documents per page; ask for the next page with after: pageInfo.endCursor.`);
  }
  // Its own kind of list: a case list's cursor is never taken here, nor one of another municipality.
  const listKey = JSON.stringify(['public-documents', args.municipality]);
  const offset =
    args.after === undefined || args.after === null
      ? 0
      : offsetOf(args.after, listKey, 'after is not a cursor of this list of public documents: pass the pageInfo.endCursor of the page before, for the same municipality.');
  return { municipality: args.municipality, offset, first, listKey };
}

/** A public paper as the graph shows it (PublicDocument). */
export interface PublicDocumentNode {
  id: string;
  title: string | null;
  date: string | null;
  kind: PublicDocumentRecord['kind'];
  committee: string | null;
  meetingDate: string | null;
  caseTitle: string | null;
  format: string | null;
}

/** One page of the list as the graph shows it (PublicDocumentConnection). */
export interface PublicDocumentConnectionValue {
  nodes: PublicDocumentNode[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  municipalityCode: string;
  municipalityName: string | null;
}

/**
 * The page `request` shows of the ESDH's answer, which was asked for `first + 1` papers (the one
 * beyond says another page follows). A paper the ESDH did not mark public in as many words is not
 * shown, whatever list it came in; it still counts as read, so offsets stay the ESDH's.
 */
export function publicDocumentsPage(answer: PublicDocumentPage, request: PublicDocumentsRequest, municipalityName: string | null): PublicDocumentConnectionValue {
  const page = pageOf(answer, request, (record: PublicDocumentRecord): PublicDocumentNode | undefined => {
    if (!record.published) return undefined;
    const { id, title, date, kind, committee, meetingDate, caseTitle, format } = record;
    return { id, title, date, kind, committee, meetingDate, caseTitle, format };
  });
  return {
    nodes: page.nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.consumed > 0 ? cursorFor(page.nextOffset, request.listKey) : null },
    municipalityCode: request.municipality,
    municipalityName,
  };
}
