/**
 * The tenant registry: which municipalities this deployment serves, and which adapter and URL
 * serve each one's own systems (its ESDH). A JSON file, validated with zod at start and read
 * again whenever it changes: a valid change takes effect without a restart; an invalid one is
 * refused with every bad entry named, and the registry in force stays in force.
 *
 * Read by the gateway (names and CVR numbers for the access trail) and the subgraphs (where each
 * municipality's systems are: the case subgraph reads each ESDH entry with its vendor's schema;
 * under which Serviceplatformen service agreement each one calls: the citizen subgraph).
 * National systems (CPR, BBR, DAR, KLE, the case index) are not here: they are shared, though a
 * municipality may call them under a service agreement of its own (`serviceplatformen`).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { ConfigInvalid, parseConfig } from './config';
import { watchFolder } from './watchFolder';

/**
 * What the registry itself reads of a municipality's ESDH entry: an object naming its kind. The
 * rest is the vendor's: the case subgraph, which opens case systems, reads every entry through
 * its vendor table (adapters/esdh/vendors.ts) by passing that schema as `esdh`. The gateway needs
 * no more than names and CVR numbers.
 */
export const esdhEntryBaseSchema = z.looseObject({ kind: z.string({ error: 'must name the case system\'s kind' }).min(1, 'must name the case system\'s kind') });
export type EsdhEntryBase = z.output<typeof esdhEntryBaseSchema>;

/** Field names that hold a secret, compared without case, `-` or `_`. */
const SECRET_FIELD = /^(password|passwd|pwd|passphrase|secret|clientsecret|token|accesstoken|apikey|privatekey)$/;

/** The paths of every field, at any depth, whose name says it holds a secret. */
function secretFields(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    SECRET_FIELD.test(key.replace(/[-_]/g, '').toLowerCase()) ? [[...path, key]] : secretFields(inner, [...path, key]),
  );
}

/**
 * A system's entry names where its secrets are kept, never holds them: the registry is read by
 * every process, logged when refused, copied into tickets. Checked before the entry's own schema,
 * by every reader of the registry, and the message names the field, never its value.
 */
function withoutSecrets<E>(entry: z.ZodType<E>) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      for (const path of secretFields(value)) {
        ctx.addIssue({ code: 'custom', path, message: 'a secret is never written in the tenant registry: give credentials as { "env": "VARIABLE" } or { "file": "path" }, naming where it is kept' });
      }
    })
    .pipe(entry);
}

/** As Serviceplatformen writes UUIDs (InvocationContext_1.xsd, UUIDtype): lower-case hex. */
const uuid = z.string({ error: 'must be a lower-case UUID' }).regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case UUID');

/**
 * A municipality's own Serviceplatformen service agreement: on Serviceplatformen each municipality
 * is a data consumer of its own, with its own agreement (ServiceAgreementUUID), user system
 * (UserSystemUUID) and user (UserUUID), sent in the InvocationContext of every call made on its
 * behalf. ServiceUUID is not here: it names the service called, not the consumer, and stays in the
 * legacy configuration with the service. Strict: a misspelt field would otherwise be dropped, and
 * the municipality's calls quietly made under the deployment's agreement.
 * @see InvocationContext_1.xsd (Serviceplatformen)
 */
export const serviceplatformenAgreementSchema = z.strictObject({
  serviceAgreementUuid: uuid,
  userSystemUuid: uuid,
  userUuid: uuid,
});
export type ServiceplatformenAgreement = Readonly<z.output<typeof serviceplatformenAgreementSchema>>;

function municipalitySchema<E extends EsdhEntryBase>(esdh: z.ZodType<E>) {
  // Strict: a field the registry does not know (a misspelt `serviceplatformen`, say) is refused, not dropped.
  return z.strictObject({
    /** kommunekode */
    code: z.string().regex(/^\d{4}$/, 'must be a four-digit kommunekode'),
    name: z.string().min(1),
    /** The municipality's CVR number */
    cvr: z.string().regex(/^\d{8}$/, 'must be an eight-digit CVR number'),
    /** The municipality's own case-and-document system: its vendor's kind and that vendor's settings */
    esdh: withoutSecrets(esdh),
    /** The municipality's own Serviceplatformen service agreement; absent: it calls under the deployment's (legacy configuration). */
    serviceplatformen: serviceplatformenAgreementSchema.optional(),
  });
}

export function tenantRegistrySchema<E extends EsdhEntryBase>(esdh: z.ZodType<E>) {
  return z
    .object({ municipalities: z.array(municipalitySchema(esdh)).min(1) })
    .superRefine((registry, ctx) => {
      const codes = new Set<string>();
      const cvrs = new Set<string>();
      registry.municipalities.forEach((m, index) => {
        if (codes.has(m.code)) ctx.addIssue({ code: 'custom', path: ['municipalities', index, 'code'], message: `municipality ${m.code} is listed twice` });
        if (cvrs.has(m.cvr)) ctx.addIssue({ code: 'custom', path: ['municipalities', index, 'cvr'], message: `CVR ${m.cvr} is given to two municipalities` });
        codes.add(m.code);
        cvrs.add(m.cvr);
      });
    });
}

export interface TenantRegistryInput {
  municipalities: {
    code: string;
    name: string;
    cvr: string;
    esdh: { kind: string } & Record<string, unknown>;
    serviceplatformen?: { serviceAgreementUuid: string; userSystemUuid: string; userUuid: string };
  }[];
}

export interface MunicipalityEntry<E extends EsdhEntryBase = EsdhEntryBase> {
  /** kommunekode */
  readonly code: string;
  readonly name: string;
  /** The municipality's CVR number */
  readonly cvr: string;
  readonly esdh: Readonly<E>;
  /** Its own Serviceplatformen service agreement; absent: it calls under the deployment's. */
  readonly serviceplatformen?: ServiceplatformenAgreement;
}
export type Municipality<E extends EsdhEntryBase = EsdhEntryBase> = Readonly<MunicipalityEntry<E>>;

/** One version of the registry, as it was taken into force. */
export interface Tenants<E extends EsdhEntryBase = EsdhEntryBase> {
  readonly municipalities: readonly Municipality<E>[];
  /** By kommunekode. */
  byCode: ReadonlyMap<string, Municipality<E>>;
  /** By CVR number. */
  byCvr: ReadonlyMap<string, Municipality<E>>;
  /** 1 for the registry read at start, then one more for each change taken into force. */
  version: number;
}

export interface TenantRegistry<E extends EsdhEntryBase = EsdhEntryBase> {
  /** The registry in force. */
  current(): Tenants<E>;
  /** Told of every new version taken into force; returns an unsubscribe function. */
  onChange(listener: (tenants: Tenants<E>, previous: Tenants<E>) => void): () => void;
  /** Told of every change refused (the registry in force stays); returns an unsubscribe function. */
  onRefused(listener: (error: ConfigInvalid) => void): () => void;
  /** Reads the file again now (also done on every change of the file); throws ConfigInvalid when it is refused. */
  reload(): Tenants<E>;
  close(): void;
}

export interface TenantRegistryOptions<E extends EsdhEntryBase = EsdhEntryBase> {
  /** How each municipality's `esdh` entry is read. @default esdhEntryBaseSchema (its kind only) */
  esdh?: z.ZodType<E>;
}

interface Parsed<E extends EsdhEntryBase> {
  municipalities: readonly Municipality<E>[];
}

/** The registry read and frozen; throws ConfigInvalid with every issue, each naming its municipality by code where it has one. */
export function parseTenantRegistry<E extends EsdhEntryBase = EsdhEntryBase>(input: unknown, source = 'tenant registry', options: TenantRegistryOptions<E> = {}): Parsed<E> {
  const esdh = (options.esdh ?? esdhEntryBaseSchema) as z.ZodType<E>;
  return parseConfig(source, tenantRegistrySchema(esdh), input, { entryOf: (path) => municipalityNamed(input, path) }) as Parsed<E>;
}

/** "municipality 0461" for an issue inside the entry listed with that code. */
function municipalityNamed(input: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== 'municipalities' || typeof path[1] !== 'number') return undefined;
  const code = (input as { municipalities?: { code?: unknown }[] } | null)?.municipalities?.[path[1]]?.code;
  return typeof code === 'string' && code.length > 0 ? `municipality ${code.slice(0, 12)}` : undefined;
}

function snapshot<E extends EsdhEntryBase>(input: Parsed<E>, version: number): Tenants<E> {
  return {
    municipalities: input.municipalities,
    byCode: new Map(input.municipalities.map((m) => [m.code, m])),
    byCvr: new Map(input.municipalities.map((m) => [m.cvr, m])),
    version,
  };
}

function readRegistryFile<E extends EsdhEntryBase>(path: string, options: TenantRegistryOptions<E>): Parsed<E> {
  const what = `tenant registry ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigInvalid(what, [`cannot read ${path}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigInvalid(what, ['the file is not valid JSON']);
  }
  return parseTenantRegistry(json, what, options);
}

/** A registry that never changes (tests, and callers that hold the municipalities in code). */
export function fixedTenantRegistry<E extends EsdhEntryBase = EsdhEntryBase>(input: TenantRegistryInput, options: TenantRegistryOptions<E> = {}): TenantRegistry<E> {
  const tenants = snapshot(parseTenantRegistry(input, 'tenant registry', options), 1);
  return {
    current: () => tenants,
    onChange: () => () => undefined,
    onRefused: () => () => undefined,
    reload: () => tenants,
    close: () => undefined,
  };
}

export interface TenantRegistryFileOptions<E extends EsdhEntryBase = EsdhEntryBase> extends TenantRegistryOptions<E> {
  /** Read the file again when it changes. @default true */
  watch?: boolean;
  /** Changes within this long are read once. @default 100 (milliseconds) */
  debounceMs?: number;
}

/**
 * The registry in a file. Throws ConfigInvalid when the file is bad at start; later changes are
 * taken into force or refused as they come (editors that replace the file are followed too: the
 * folder is watched, not the file).
 */
export function tenantRegistryFile<E extends EsdhEntryBase = EsdhEntryBase>(path: string, options: TenantRegistryFileOptions<E> = {}): TenantRegistry<E> {
  let tenants = snapshot(readRegistryFile(path, options), 1);
  const changed = new Set<(tenants: Tenants<E>, previous: Tenants<E>) => void>();
  const refused = new Set<(error: ConfigInvalid) => void>();
  let lastText = readFileSync(path, 'utf8');

  const reload = (): Tenants<E> => {
    const text = (() => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    })();
    // An unchanged file (a touch, a second event for one write) is no new version.
    if (text !== undefined && text === lastText) return tenants;
    const next = readRegistryFile(path, options);
    lastText = text ?? lastText;
    const previous = tenants;
    tenants = snapshot(next, previous.version + 1);
    for (const listener of changed) listener(tenants, previous);
    return tenants;
  };

  const watcher =
    (options.watch ?? true)
      ? watchFolder(
          dirname(path),
          (name) => name === basename(path),
          () => {
            try {
              reload();
            } catch (error) {
              if (!(error instanceof ConfigInvalid)) throw error;
              for (const listener of refused) listener(error);
            }
          },
          options.debounceMs ?? 100,
        )
      : undefined;

  return {
    current: () => tenants,
    onChange: (listener) => {
      changed.add(listener);
      return () => changed.delete(listener);
    },
    onRefused: (listener) => {
      refused.add(listener);
      return () => refused.delete(listener);
    },
    reload,
    close: () => watcher?.close(),
  };
}
