/**
 * The vendor table: every kind of case system a municipality's tenant registry entry may name,
 * each with the shape of its entry and how a CaseSystem is opened from one. The project's own
 * vendors are built in; a municipality's own vendor comes from a module of its own, listed in the
 * case subgraph's settings (`subgraphs/case/vendorModules.ts`), so adding one touches no file of the project's.
 * Changing a municipality's vendor is an edit of its registry entry.
 */
import { z } from 'zod';
import { acadreVendor } from './acadreVendor';
import { restDemoVendor } from './restDemo';
import type { CaseSystemContext, CaseSystemVendor, OpenedCaseSystem, PluggedCaseSystemVendor } from './vendor';

const BUILT_IN = {
  'rest-demo': restDemoVendor,
  'acadre-v7': acadreVendor,
} as const;

export type BuiltInCaseSystemKind = keyof typeof BUILT_IN;

/** An entry of a built-in vendor, as its schema read it. */
export type BuiltInCaseSystemEntry = { [K in BuiltInCaseSystemKind]: z.output<(typeof BUILT_IN)[K]['entry']> }[BuiltInCaseSystemKind];

/** An entry of a vendor plugged in from a municipality's own module, as that vendor's schema read it. */
export interface PluggedCaseSystemEntry {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** A municipality's `esdh` entry, as its vendor's schema read it. */
export type CaseSystemEntry = BuiltInCaseSystemEntry | PluggedCaseSystemEntry;

export const BUILT_IN_CASE_SYSTEM_KINDS = Object.keys(BUILT_IN) as readonly BuiltInCaseSystemKind[];

/** The vendors one case subgraph knows: the built-in ones and those plugged in. */
export interface CaseSystemVendorTable {
  readonly kinds: readonly string[];
  /**
   * A registry entry's `esdh`, read by its vendor's schema. An unknown kind is refused with the
   * known ones listed. (A field that holds a secret is refused by the registry itself, before this
   * reads the entry.) Messages name fields, never values: a refused registry is logged.
   */
  readonly entrySchema: z.ZodType<CaseSystemEntry>;
  /** Opens the case system a municipality's entry names, through its vendor. */
  open(entry: CaseSystemEntry, context: CaseSystemContext): OpenedCaseSystem;
  /** The product a kind stands for, in plain words; undefined for a kind the table does not hold. */
  product(kind: string): string | undefined;
}

/**
 * The table of the built-in vendors and `plugged` ones. A plugged vendor's kind must be new: one
 * that takes a built-in kind, or another plugged one's, is refused (the loader says so first).
 */
export function caseSystemVendorTable(plugged: readonly PluggedCaseSystemVendor[] = []): CaseSystemVendorTable {
  const vendors = new Map<string, CaseSystemVendor<{ kind: string }>>(Object.entries(BUILT_IN) as [string, CaseSystemVendor<{ kind: string }>][]);
  for (const vendor of plugged) {
    if (vendors.has(vendor.kind)) throw new Error(`case system kind "${vendor.kind}" is given by two vendors`);
    vendors.set(vendor.kind, vendor);
  }
  const kinds = Object.freeze([...vendors.keys()]);
  const known = kinds.join(', ');
  const entrySchema: z.ZodType<CaseSystemEntry> = z.unknown().transform((value, ctx): CaseSystemEntry => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `must be an object naming its kind: one of ${known}` });
      return z.NEVER;
    }
    const kind: unknown = (value as { kind?: unknown }).kind;
    const vendor = typeof kind === 'string' ? vendors.get(kind) : undefined;
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
    if (parsed.data?.kind !== kind) {
      // A plugged schema that drops or renames `kind` would open another vendor's system with this entry.
      ctx.addIssue({ code: 'custom', path: ['kind'], message: `the vendor of kind "${kind as string}" read its entry without its kind: its entry schema must keep \`kind\`` });
      return z.NEVER;
    }
    return parsed.data as CaseSystemEntry;
  });
  return {
    kinds,
    entrySchema,
    open(entry, context) {
      const vendor = vendors.get(entry.kind);
      if (!vendor) throw new Error(`no case system vendor of kind "${entry.kind}"`);
      return vendor.open(entry, context);
    },
    product: (kind) => vendors.get(kind)?.product,
  };
}

/** The built-in vendors alone. */
export const builtInVendorTable: CaseSystemVendorTable = caseSystemVendorTable();

/** The built-in table's entry schema (tests and tools that need no plugged vendor). */
export const caseSystemEntrySchema: z.ZodType<CaseSystemEntry> = builtInVendorTable.entrySchema;
