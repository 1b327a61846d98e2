/**
 * Where the legacy systems are, for the subgraphs: parsed once by one zod schema, defaults in
 * one place, result frozen. A bad file stops start with every issue listed under CONFIG_INVALID.
 *
 * Read from the JSON file named by LEGACY_CONFIG (see config/legacy.example.json).
 *
 * Who we are to the national services is read here too, so that a wrong passphrase or an expired
 * certificate stops start rather than failing every call: client certificates (files named in
 * the configuration) and Datafordeler's service-user credentials (by reference, never held in
 * the file). The parsed configuration holds them in objects that serialize without the secrets.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { QueryCredentials, type JsonClientOptions } from '../../adapters/core/restClient';
import { checkTlsClientIdentity, type TlsClientIdentity, type TlsClientIdentityInput } from '../../adapters/core/tlsIdentity';
import { basicCredentials, credentialsReferenceSchema, type CredentialsReference } from '../../adapters/esdh/vendor';
import { ConfigInvalid, parseConfig } from '../../runtime/config';
import { secretReader } from './secrets';

const url = z.string().url();
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case UUID');
const file = z.string().min(1, 'must name a file');

/** What reading the configuration may use besides its text. */
export interface LegacyConfigContext {
  /** Relative file names (certificates, secret files) are read from here: the configuration file's folder. @default process.cwd() */
  baseDir?: string;
  /** Where `{ "env": NAME }` references are looked up. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The time certificates must be valid at. @default now */
  now?: Date;
}

type Resolved = Required<LegacyConfigContext>;

/**
 * `{ "pfx": FILE }` or `{ "cert": FILE, "key": FILE }`, each with an optional `passphrase`
 * reference and `ca` file, read into a checked TlsClientIdentity.
 */
function clientCertificateSchema(context: Resolved) {
  return z
    .strictObject({
      /** PKCS#12 bundle (.p12/.pfx): certificate and key in one file */
      pfx: file.optional(),
      /** PEM (or DER) certificate, with `key` */
      cert: file.optional(),
      /** PEM (or DER) private key of `cert` */
      key: file.optional(),
      /** Where the passphrase of `pfx` or `key` is kept */
      passphrase: credentialsReferenceSchema.optional(),
      /** The CA certificates the service's own certificate must chain to (replaces the public roots for this service) */
      ca: file.optional(),
    })
    .superRefine((settings, ctx) => {
      const pem = settings.cert !== undefined || settings.key !== undefined;
      if (settings.pfx !== undefined && pem) ctx.addIssue({ code: 'custom', message: 'give either "pfx" or "cert" and "key", not both' });
      else if (settings.pfx === undefined && !pem) ctx.addIssue({ code: 'custom', message: 'give "pfx" (a PKCS#12 file) or "cert" and "key" (PEM files)' });
      else if (pem && settings.cert === undefined) ctx.addIssue({ code: 'custom', path: ['cert'], message: 'must name the certificate file that goes with "key"' });
      else if (pem && settings.key === undefined) ctx.addIssue({ code: 'custom', path: ['key'], message: 'must name the private key file that goes with "cert"' });
    })
    .transform((settings, ctx): TlsClientIdentity => {
      const paths = new Map<string, string>();
      const read = (part: 'pfx' | 'cert' | 'key' | 'ca', name: string): Buffer | undefined => {
        const path = isAbsolute(name) ? name : resolve(context.baseDir, name);
        paths.set(part, path);
        try {
          return readFileSync(path);
        } catch {
          ctx.addIssue({ code: 'custom', path: [part], message: `cannot read ${path}` });
          return undefined;
        }
      };
      const passphrase = settings.passphrase === undefined ? undefined : readReference(settings.passphrase, context, ctx, ['passphrase']);
      const ca = settings.ca === undefined ? undefined : read('ca', settings.ca);
      let input: TlsClientIdentityInput | undefined;
      if (settings.pfx !== undefined) {
        const pfx = read('pfx', settings.pfx);
        if (pfx) input = { pfx };
      } else {
        const cert = read('cert', settings.cert!);
        const key = read('key', settings.key!);
        if (cert && key) input = { cert, key };
      }
      if (!input || (settings.passphrase !== undefined && passphrase === undefined) || (settings.ca !== undefined && ca === undefined)) return z.NEVER;
      if (passphrase !== undefined) input.passphrase = passphrase;
      if (ca) input.ca = ca;
      const checked = checkTlsClientIdentity(input, context.now);
      if (checked.identity) return checked.identity;
      for (const problem of checked.problems) {
        // A file's problem names the file; the passphrase's names where it came from and what it should open.
        const where =
          problem.part === 'passphrase'
            ? `${describeReference(settings.passphrase)}, for ${paths.get('pfx') ?? paths.get('key')}`
            : paths.get(problem.part);
        ctx.addIssue({ code: 'custom', path: [problem.part], message: `${problem.message} (${where})` });
      }
      return z.NEVER;
    });
}

/** A Datafordeler service as the adapters take it: the credentials read, the certificate checked. */
export interface DatafordelerService {
  url: string;
  /** The service user's `username` and `password`, sent as query parameters */
  credentials?: QueryCredentials;
  clientCertificate?: TlsClientIdentity;
}

/** What `createJsonClient` takes of a Datafordeler service's settings: who we are to it. */
export function datafordelerAccess(service: DatafordelerService): Pick<JsonClientOptions, 'tls' | 'queryCredentials'> {
  return {
    ...(service.clientCertificate ? { tls: service.clientCertificate } : {}),
    ...(service.credentials ? { queryCredentials: service.credentials } : {}),
  };
}

/**
 * A Datafordeler service (BBR, DAR): its URL and who we are to it, a service user (tjenestebruger,
 * `username:password` by reference, sent as the `username` and `password` query parameters
 * Datafordeler reads) or a certificate user (a client certificate).
 */
function datafordelerServiceSchema(context: Resolved) {
  return z
    .object({
      url,
      /** Where the service user's `username:password` is kept */
      credentials: credentialsReferenceSchema.optional(),
      clientCertificate: clientCertificateSchema(context).optional(),
    })
    .superRefine((service, ctx) => {
      if (service.credentials !== undefined && service.clientCertificate !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'give "credentials" (a service user) or "clientCertificate" (a certificate user), not both' });
      }
    })
    .transform((service, ctx): DatafordelerService => {
      const { credentials, ...rest } = service;
      if (credentials === undefined) return rest;
      const secret = readReference(credentials, context, ctx, ['credentials'], { trim: false });
      if (secret === undefined) return z.NEVER;
      try {
        const { username, password } = basicCredentials(secret);
        return { ...rest, credentials: new QueryCredentials({ username, password }) };
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['credentials'], message: `${error instanceof Error ? error.message : String(error)} (${describeReference(credentials)})` });
        return z.NEVER;
      }
    });
}

/**
 * The secret a reference names, one trailing line break dropped (files written by `echo`), or
 * undefined with an issue naming the reference, never the secret.
 */
function readReference(
  reference: CredentialsReference,
  context: Resolved,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
  options: { trim?: boolean } = {},
): string | undefined {
  try {
    const secret = secretReader(context.baseDir, context.env)(reference);
    return options.trim === false ? secret : secret.replace(/\r?\n$/, '');
  } catch (error) {
    ctx.addIssue({ code: 'custom', path, message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

function describeReference(reference: CredentialsReference | undefined): string {
  if (reference === undefined) return 'no passphrase';
  return 'env' in reference ? `the environment variable ${reference.env}` : `the file ${reference.file}`;
}

/** The legacy configuration's schema; its transforms read the files and secrets it names, through `context`. */
export function legacyConfigSchemaFor(context: LegacyConfigContext = {}) {
  const resolved: Resolved = { baseDir: context.baseDir ?? process.cwd(), env: context.env ?? process.env, now: context.now ?? new Date() };
  return z
  .object({
    cpr: z.object({
      /** WSDL location (URL or file path): the provider's published WSDL in production */
      wsdl: z.string().min(1),
      endpoint: url.optional(),
      /** Serviceplatformen service agreement the CPR look-ups are made under */
      invocationContext: z.object({
        serviceAgreementUuid: uuid,
        userSystemUuid: uuid,
        userUuid: uuid,
        serviceUuid: uuid,
      }),
      /** The system certificate Serviceplatformen requires (FOCES/OCES, from the service agreement's IT system) */
      clientCertificate: clientCertificateSchema(resolved).optional(),
    }),
    caseIndex: z.object({
      wsdl: z.string().min(1),
      endpoint: url.optional(),
      /** Role UUIDs read as "Sekundær part" */
      secondaryPartyRoles: z.array(uuid).optional(),
      /** As cpr.clientCertificate: the same system certificate, as a rule */
      clientCertificate: clientCertificateSchema(resolved).optional(),
    }),
    /** NemKonto (Easy Account), for Citizen.nemKonto; absent: the field says NemKonto is not configured */
    nemkonto: z
      .object({
        wsdl: z.string().min(1),
        endpoint: url.optional(),
        clientCertificate: clientCertificateSchema(resolved).optional(),
      })
      .optional(),
    bbr: datafordelerServiceSchema(resolved),
    dar: datafordelerServiceSchema(resolved),
    kle: z.object({ url }),
    /**
     * The tenant registry file: which municipalities are served and where each one's own systems
     * are (runtime/tenantRegistry.ts). Read again whenever it changes.
     */
    tenantRegistry: z.string().min(1),
    /** Per legacy call attempt */
    timeoutMs: z.number().int().positive().default(2_000),
    /** Budget of a whole request when the gateway does not send one (x-request-budget-ms) */
    requestBudgetMs: z.number().int().positive().default(3_000),
    /** How long past freshness cached BBR, DAR and KLE answers are served while their source is down */
    registryStaleTtlSeconds: z.number().int().nonnegative().default(86_400),
    /** Retries, circuit breakers and bulkheads per tenant × legacy system (adapters/core/resilience.ts) */
    resilience: z
      .object({
        maxRetries: z.number().int().nonnegative(),
        initialBackoffMs: z.number().int().positive(),
        maxBackoffMs: z.number().int().positive(),
        retryBudgetRatio: z.number().min(0).max(1),
        minRetriesPerWindow: z.number().int().nonnegative(),
        retryBudgetWindowMs: z.number().int().positive(),
        breakerThreshold: z.number().int().positive(),
        breakerHalfOpenAfterMs: z.number().int().positive(),
        bulkheadLimit: z.number().int().positive(),
        bulkheadQueue: z.number().int().nonnegative(),
      })
      .partial()
      .default({}),
    /** How long BBR, DAR and KLE answers are served from cache */
    registryCacheTtlSeconds: z.number().int().positive().default(3_600),
  });
}

/** The schema with this process's working folder and environment, for its types and for tools. */
export const legacyConfigSchema = legacyConfigSchemaFor();

export type LegacyConfig = Readonly<z.output<ReturnType<typeof legacyConfigSchemaFor>>>;
export type LegacyConfigInput = z.input<ReturnType<typeof legacyConfigSchemaFor>>;

export { ConfigInvalid };

/** `input` parsed, the files and secrets it names read through `context`; throws ConfigInvalid naming every bad setting. */
export function parseLegacyConfig(input: unknown, context: LegacyConfigContext = {}): LegacyConfig {
  return parseConfig('legacy', legacyConfigSchemaFor(context), input);
}

/** The legacy configuration from the JSON file LEGACY_CONFIG names. */
export function loadLegacyConfig(env: NodeJS.ProcessEnv = process.env): LegacyConfig {
  const path = env['LEGACY_CONFIG'];
  if (!path) throw new ConfigInvalid('legacy', ['LEGACY_CONFIG: set it to the path of the legacy systems JSON file']);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigInvalid('legacy', [`LEGACY_CONFIG: cannot read ${path}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigInvalid('legacy', [`LEGACY_CONFIG: ${path} is not valid JSON`]);
  }
  // The registry's path, certificate files and secret files are read relative to the configuration file that names them.
  const registry = (json as { tenantRegistry?: unknown } | null)?.tenantRegistry;
  if (typeof registry === 'string' && registry) json = { ...(json as object), tenantRegistry: resolve(dirname(path), registry) };
  return parseLegacyConfig(json, { baseDir: dirname(resolve(path)), env });
}
