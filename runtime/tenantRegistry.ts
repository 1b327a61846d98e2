/**
 * The tenant registry: which municipalities this deployment serves, and which adapter and URL
 * serve each one's own systems (its ESDH). A JSON file, validated with zod at start and read
 * again whenever it changes: a valid change takes effect without a restart; an invalid one is
 * refused with every bad entry named, and the registry in force stays in force.
 *
 * Read by the gateway (names and CVR numbers for the access trail) and the subgraphs (where each
 * municipality's systems are). National systems (CPR, BBR, DAR, KLE, the case index) are not
 * here: they are shared.
 */
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { ConfigInvalid, parseConfig } from './config';

const municipalitySchema = z.object({
  /** kommunekode */
  code: z.string().regex(/^\d{4}$/, 'must be a four-digit kommunekode'),
  name: z.string().min(1),
  /** The municipality's CVR number */
  cvr: z.string().regex(/^\d{8}$/, 'must be an eight-digit CVR number'),
  /** The municipality's own case-and-document system */
  esdh: z.object({
    /** Which adapter speaks to it; `rest-demo` is the demo vendor's REST API. */
    kind: z.enum(['rest-demo']),
    url: z.string().url(),
  }),
});

export const tenantRegistrySchema = z
  .object({ municipalities: z.array(municipalitySchema).min(1) })
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

export type TenantRegistryInput = z.input<typeof tenantRegistrySchema>;
export type Municipality = Readonly<z.output<typeof municipalitySchema>>;

/** One version of the registry, as it was taken into force. */
export interface Tenants {
  readonly municipalities: readonly Municipality[];
  /** By kommunekode. */
  byCode: ReadonlyMap<string, Municipality>;
  /** By CVR number. */
  byCvr: ReadonlyMap<string, Municipality>;
  /** 1 for the registry read at start, then one more for each change taken into force. */
  version: number;
}

export interface TenantRegistry {
  /** The registry in force. */
  current(): Tenants;
  /** Told of every new version taken into force; returns an unsubscribe function. */
  onChange(listener: (tenants: Tenants, previous: Tenants) => void): () => void;
  /** Told of every change refused (the registry in force stays); returns an unsubscribe function. */
  onRefused(listener: (error: ConfigInvalid) => void): () => void;
  /** Reads the file again now (also done on every change of the file); throws ConfigInvalid when it is refused. */
  reload(): Tenants;
  close(): void;
}

export function parseTenantRegistry(input: unknown, source = 'tenant registry'): z.output<typeof tenantRegistrySchema> {
  return parseConfig(source, tenantRegistrySchema, input);
}

function snapshot(input: z.output<typeof tenantRegistrySchema>, version: number): Tenants {
  return {
    municipalities: input.municipalities,
    byCode: new Map(input.municipalities.map((m) => [m.code, m])),
    byCvr: new Map(input.municipalities.map((m) => [m.cvr, m])),
    version,
  };
}

function readRegistryFile(path: string): z.output<typeof tenantRegistrySchema> {
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
  return parseTenantRegistry(json, what);
}

/** A registry that never changes (tests, and callers that hold the municipalities in code). */
export function fixedTenantRegistry(input: TenantRegistryInput): TenantRegistry {
  const tenants = snapshot(parseTenantRegistry(input), 1);
  return {
    current: () => tenants,
    onChange: () => () => undefined,
    onRefused: () => () => undefined,
    reload: () => tenants,
    close: () => undefined,
  };
}

export interface TenantRegistryFileOptions {
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
export function tenantRegistryFile(path: string, options: TenantRegistryFileOptions = {}): TenantRegistry {
  let tenants = snapshot(readRegistryFile(path), 1);
  const changed = new Set<(tenants: Tenants, previous: Tenants) => void>();
  const refused = new Set<(error: ConfigInvalid) => void>();
  let lastText = readFileSync(path, 'utf8');

  const reload = (): Tenants => {
    const text = (() => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    })();
    // An unchanged file (a touch, a second event for one write) is no new version.
    if (text !== undefined && text === lastText) return tenants;
    const next = readRegistryFile(path);
    lastText = text ?? lastText;
    const previous = tenants;
    tenants = snapshot(next, previous.version + 1);
    for (const listener of changed) listener(tenants, previous);
    return tenants;
  };

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watch ?? true) {
    const file = basename(path);
    watcher = watch(dirname(path), (_event, name) => {
      if (name !== null && name !== file) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          reload();
        } catch (error) {
          if (!(error instanceof ConfigInvalid)) throw error;
          for (const listener of refused) listener(error);
        }
      }, options.debounceMs ?? 100);
    });
    watcher.unref();
  }

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
    close: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
