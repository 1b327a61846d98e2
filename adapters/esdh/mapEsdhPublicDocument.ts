/**
 * The demo ESDH vendor's public papers (GET /api/v1/offentlige-dokumenter: `{ totalAntal,
 * dokumenter: [{ uuid, titel, dato, type, udvalg, moededato, sagstitel, offentlig, filformat }] }`)
 * → PublicDocumentPage. Only what a website lists is read: the answer carries no case, and
 * nothing else of a paper is taken even if a vendor's answer held more.
 */
import { LegacyBadResponse } from '../core/errors';
import { int, obj, str } from '../core/json';
import type { PublicDocumentKind, PublicDocumentPage, PublicDocumentRecord } from './types';

/** The vendor's `type` of a public paper. */
const KINDS: Readonly<Record<string, PublicDocumentKind>> = { Dagsorden: 'AGENDA', Referat: 'MINUTES', 'Afgørelse': 'DECISION' };

/** One `dokumenter` item. `published` only when `offentlig` is `true` itself: a missing or odd marking is not public. */
export function mapEsdhPublicDocument(raw: unknown, system: string): PublicDocumentRecord {
  const d = obj(raw);
  const id = str(d['uuid']);
  if (!id) throw new LegacyBadResponse(`${system}: a public document without uuid`, { system });
  const type = str(d['type']);
  return {
    id,
    title: str(d['titel']),
    date: str(d['dato'])?.slice(0, 10) ?? null,
    kind: (type && KINDS[type]) || 'OTHER',
    committee: str(d['udvalg']),
    meetingDate: str(d['moededato'])?.slice(0, 10) ?? null,
    caseTitle: str(d['sagstitel']),
    format: str(d['filformat']),
    published: d['offentlig'] === true,
  };
}

/** The whole answer; one that has no `dokumenter` list is not the contract's. */
export function mapEsdhPublicDocumentPage(raw: unknown, system: string): PublicDocumentPage {
  const page = obj(raw);
  const items = page['dokumenter'];
  if (!Array.isArray(items)) throw new LegacyBadResponse(`${system}: a public documents answer without dokumenter`, { system });
  const total = int(page['totalAntal']);
  return { entries: items.map((item) => mapEsdhPublicDocument(item, system)), total: total !== null && total >= 0 ? total : null };
}
