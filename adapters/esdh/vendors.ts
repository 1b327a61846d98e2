/**
 * The vendor table: every kind of case system a municipality's tenant registry entry may name,
 * each with the shape of its entry and how a CaseSystem is opened from one. The one place that
 * lists vendors; changing a municipality's vendor is an edit of its registry entry.
 */
import { z } from 'zod';
import { acadreVendor } from './acadreVendor';
import { restDemoVendor } from './restDemo';
import type { CaseSystemContext, CaseSystemVendor, OpenedCaseSystem } from './vendor';

const VENDORS = {
  'rest-demo': restDemoVendor,
  'acadre-v7': acadreVendor,
} as const;

export type CaseSystemKind = keyof typeof VENDORS;

/** A municipality's `esdh` entry, as its vendor's schema read it. */
export type CaseSystemEntry = { [K in CaseSystemKind]: z.output<(typeof VENDORS)[K]['entry']> }[CaseSystemKind];

export const CASE_SYSTEM_KINDS = Object.keys(VENDORS) as readonly CaseSystemKind[];

/**
 * A registry entry's `esdh`, read by its vendor's schema. An unknown kind is refused with the known
 * ones listed. (A field that holds a secret is refused by the registry itself, before this reads
 * the entry.) Messages name fields, never values: a refused registry is logged.
 */
export const caseSystemEntrySchema: z.ZodType<CaseSystemEntry> = z.unknown().transform((value, ctx): CaseSystemEntry => {
  const known = CASE_SYSTEM_KINDS.join(', ');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: `must be an object naming its kind: one of ${known}` });
    return z.NEVER;
  }
  const kind: unknown = (value as { kind?: unknown }).kind;
  const vendor = typeof kind === 'string' && Object.hasOwn(VENDORS, kind) ? (VENDORS[kind as CaseSystemKind] as CaseSystemVendor<CaseSystemEntry>) : undefined;
  if (!vendor) {
    ctx.addIssue({
      code: 'custom',
      path: ['kind'],
      message: typeof kind === 'string' ? `unknown case system kind "${kind.slice(0, 40)}"; known kinds: ${known}` : `must name the case system's kind: one of ${known}`,
    });
    return z.NEVER;
  }
  const parsed = vendor.entry.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return parsed.data;
});

/** Opens the case system a municipality's entry names, through its vendor. */
export function openCaseSystem(entry: CaseSystemEntry, context: CaseSystemContext): OpenedCaseSystem {
  return (VENDORS[entry.kind] as CaseSystemVendor<CaseSystemEntry>).open(entry, context);
}

/** The product a kind stands for, in plain words. */
export function caseSystemProduct(kind: CaseSystemKind): string {
  return VENDORS[kind].product;
}
