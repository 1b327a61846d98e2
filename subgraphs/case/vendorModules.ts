/**
 * Case-system vendors from a municipality's own modules: each module, in a folder of its own,
 * exports `caseSystemVendor` (a `PluggedCaseSystemVendor`); the case subgraph's entry in
 * subgraphs.json lists the modules in `settings.vendors`. Read once, when the case subgraph
 * starts: a vendor's code is not swapped under calls in flight, while which municipality uses
 * which vendor stays a registry edit that takes effect at once.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BUILT_IN_CASE_SYSTEM_KINDS, type PluggedCaseSystemVendor } from '../../adapters/esdh';
import { ConfigInvalid } from '../../runtime/config';

/** What a kind may look like: it is written in registries and messages. */
const KIND = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Why `exported` is not a vendor row, or undefined when it is one. */
function notAVendor(exported: unknown): string | undefined {
  if (exported === null || typeof exported !== 'object') return 'exports no `caseSystemVendor` object';
  const v = exported as Partial<Record<keyof PluggedCaseSystemVendor, unknown>>;
  if (typeof v.kind !== 'string' || !KIND.test(v.kind) || v.kind.length > 40) return '`caseSystemVendor.kind` must be lowercase letters and digits, words joined by single dashes, at most 40 characters';
  if (typeof v.product !== 'string' || v.product.trim() === '') return '`caseSystemVendor.product` must name the product in plain words';
  if (v.entry === null || typeof v.entry !== 'object' || typeof (v.entry as { safeParse?: unknown }).safeParse !== 'function') {
    return '`caseSystemVendor.entry` must be a zod schema of the registry entry';
  }
  if (typeof v.open !== 'function') return '`caseSystemVendor.open` must be a function (entry, context) => { system, close }';
  return undefined;
}

/**
 * The vendors the modules at `paths` (absolute) export, in order. Every problem (a module that is
 * missing, does not load, exports no vendor row, or takes a kind already taken) is named, by its
 * module, in one ConfigInvalid.
 */
export async function loadCaseSystemVendors(paths: readonly string[], source = 'the case subgraph\'s settings.vendors'): Promise<PluggedCaseSystemVendor[]> {
  const issues: string[] = [];
  const vendors: PluggedCaseSystemVendor[] = [];
  const taken = new Map<string, string>(BUILT_IN_CASE_SYSTEM_KINDS.map((kind) => [kind, 'a built-in vendor']));
  for (const path of paths) {
    if (!existsSync(path)) {
      issues.push(`${path}: no such module`);
      continue;
    }
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(path).href)) as { caseSystemVendor?: unknown }).caseSystemVendor;
    } catch (error) {
      issues.push(`${path}: does not load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
      continue;
    }
    const why = notAVendor(exported);
    if (why) {
      issues.push(`${path}: ${why}`);
      continue;
    }
    const vendor = exported as PluggedCaseSystemVendor;
    const owner = taken.get(vendor.kind);
    if (owner) {
      issues.push(`${path}: the kind "${vendor.kind}" is taken by ${owner}; give your vendor a kind of its own`);
      continue;
    }
    taken.set(vendor.kind, path);
    vendors.push(vendor);
  }
  if (issues.length > 0) throw new ConfigInvalid(source, issues);
  return vendors;
}
