/**
 * What a case-system vendor gives the vendor table (`vendors.ts`): the shape of its tenant
 * registry entry, as a zod schema, and how to open a CaseSystem from one. A municipality adding a
 * vendor writes one of these beside its CaseSystem implementation, in a folder of its own, and
 * lists the module in the case subgraph's settings (`subgraphs/case/vendorModules.ts`).
 */
import { z } from 'zod';
import type { Resilience } from '../core/resilience';
import type { CaseSystem } from './types';

/** An environment variable's name, as POSIX shells take them. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Where a secret is kept, never the secret: the registry is configuration, read by every process
 * and copied into tickets and logs. A path is read relative to the registry file.
 */
export const credentialsReferenceSchema = z.union(
  [
    z.strictObject({ env: z.string().regex(ENV_NAME, 'must be the name of an environment variable') }),
    z.strictObject({ file: z.string().min(1) }),
  ],
  { error: 'must name where the secret is kept, { "env": "VARIABLE" } or { "file": "path" }, never hold it' },
);

export type CredentialsReference = z.output<typeof credentialsReferenceSchema>;

/** What the case subgraph gives a vendor to open a municipality's case system with. */
export interface CaseSystemContext {
  /** The municipality (kommunekode) whose system this is: its breakers and errors are keyed by it. */
  municipalityCode: string;
  /** Per legacy call attempt, in milliseconds. */
  timeoutMs: number;
  /** Retries, breakers and bulkheads per tenant × system; none when absent. */
  resilience?: Resilience;
  /** The secret a credentials reference names. Throws (naming the reference, never the secret) when it cannot be read. */
  readSecret(reference: CredentialsReference): string;
}

export interface OpenedCaseSystem {
  readonly system: CaseSystem;
  /** Releases its sockets; called when the registry moves the municipality elsewhere and when the subgraph stops. */
  close(): void | Promise<void>;
}

/** One vendor's row in the vendor table. */
export interface CaseSystemVendor<Entry extends { kind: string }> {
  /** The product, in plain words, for messages and docs. */
  readonly product: string;
  /** The municipality's registry entry for this vendor, `kind` included; strict, so a misspelt field is refused. */
  readonly entry: z.ZodType<Entry>;
  open(entry: Entry, context: CaseSystemContext): OpenedCaseSystem;
}

/**
 * A vendor from a municipality's own module (listed in the case subgraph's `settings.vendors`):
 * its row, with the kind registry entries name it by. The module exports it as `caseSystemVendor`.
 */
export interface PluggedCaseSystemVendor<Entry extends { kind: string } = { kind: string }> extends CaseSystemVendor<Entry> {
  /** What a registry entry's `esdh.kind` says to be opened by this vendor: lowercase, digits and single dashes. */
  readonly kind: string;
}

/** `username:password` (the first colon splits them), as HTTP Basic and curl's `-u` write credentials. */
export function basicCredentials(secret: string): { username: string; password: string } {
  const text = secret.replace(/\r?\n$/, '');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error('the credentials must read "username:password"');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
