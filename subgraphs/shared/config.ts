/**
 * Where the legacy systems are, for the subgraphs: parsed once by one zod schema, defaults in
 * one place, result frozen. A bad file stops start with every issue listed under CONFIG_INVALID.
 *
 * Read from the JSON file named by LEGACY_CONFIG (see config/legacy.example.json).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigInvalid, parseConfig } from '../../runtime/config';

const url = z.string().url();
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case UUID');

export const legacyConfigSchema = z
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
    }),
    caseIndex: z.object({
      wsdl: z.string().min(1),
      endpoint: url.optional(),
      /** Role UUIDs read as "Sekundær part" */
      secondaryPartyRoles: z.array(uuid).optional(),
    }),
    bbr: z.object({ url }),
    dar: z.object({ url }),
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

export type LegacyConfig = Readonly<z.output<typeof legacyConfigSchema>>;
export type LegacyConfigInput = z.input<typeof legacyConfigSchema>;

export { ConfigInvalid };

export function parseLegacyConfig(input: unknown): LegacyConfig {
  return parseConfig('legacy', legacyConfigSchema, input);
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
  // The registry's path is read relative to the configuration file that names it.
  const registry = (json as { tenantRegistry?: unknown } | null)?.tenantRegistry;
  if (typeof registry === 'string' && registry) json = { ...(json as object), tenantRegistry: resolve(dirname(path), registry) };
  return parseLegacyConfig(json);
}
