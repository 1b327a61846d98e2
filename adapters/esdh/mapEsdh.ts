/**
 * The demo ESDH vendor's REST JSON (sag, dokument) → EsdhCaseRecord, DocumentRecord.
 * Another vendor gets its own mapping file beside this one, behind the same CaseSystem interface.
 */
import { LegacyBadResponse } from '../core/errors';
import { str, obj } from '../core/json';
import type { DocumentKind, DocumentRecord, EsdhCaseRecord } from './types';


const KINDS: Readonly<Record<string, DocumentKind>> = { 'Indgående': 'INCOMING', 'Udgående': 'OUTGOING', Notat: 'NOTE' };

export function mapEsdhDocument(raw: unknown, system: string): DocumentRecord {
  const d = obj(raw);
  const id = str(d['uuid']);
  if (!id) throw new LegacyBadResponse(`${system}: a dokument without uuid`, { system });
  const type = str(d['type']);
  return {
    id,
    caseNumber: str(d['sagsnummer']),
    title: str(d['titel']),
    date: str(d['dato'])?.slice(0, 10) ?? null,
    kind: (type && KINDS[type]) || 'OTHER',
    format: str(d['filformat']),
  };
}

export function mapEsdhCase(raw: unknown, system: string): EsdhCaseRecord {
  const c = obj(raw);
  const id = str(c['uuid']);
  const number = str(c['sagsnummer']);
  if (!id || !number) throw new LegacyBadResponse(`${system}: a sag without uuid or sagsnummer`, { system });
  const kle = obj(c['kle']);
  const kleNumber = str(kle['nummer']);
  return {
    id,
    number,
    title: str(c['titel']),
    status: str(c['status']),
    responsibleUnit: str(c['ansvarligEnhed']),
    openedAt: str(c['oprettet'])?.slice(0, 10) ?? null,
    classification: kleNumber ? { number: kleNumber, title: str(kle['titel']) } : null,
  };
}
