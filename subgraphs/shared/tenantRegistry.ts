/**
 * The tenant registry as a subgraph holds it: the file the legacy configuration names, read again
 * whenever it changes, its changes and refusals logged under the subgraph's name, closed with the
 * subgraph. Each subgraph reads what it needs of an entry (the case subgraph each ESDH by its
 * vendor's schema; the citizen subgraph the municipality's Serviceplatformen agreement).
 */
import type { z } from 'zod';
import { logger } from '../../runtime/log';
import { tenantRegistryFile, type EsdhEntryBase, type TenantRegistry } from '../../runtime/tenantRegistry';
import type { LegacyConfig } from './config';
import type { LegacyPlumbing } from './legacyServices';

export interface SubgraphTenantRegistryOptions<E extends EsdhEntryBase> {
  /** How each `esdh` entry is read. @default its kind only (esdhEntryBaseSchema) */
  esdh?: z.ZodType<E>;
}

/** The registry `config.tenantRegistry` names, logged as `subgraph:<name>`; throws ConfigInvalid when it is bad at start. */
export function openSubgraphTenantRegistry<E extends EsdhEntryBase = EsdhEntryBase>(
  subgraph: string,
  config: LegacyConfig,
  plumbing: LegacyPlumbing,
  options: SubgraphTenantRegistryOptions<E> = {},
): TenantRegistry<E> {
  const tenants = tenantRegistryFile<E>(config.tenantRegistry, options.esdh ? { esdh: options.esdh } : {});
  const log = logger({ service: `subgraph:${subgraph}`, component: 'tenants' });
  tenants.onChange((now, before) =>
    log.info(`registry version ${now.version} in force: ${now.municipalities.map((m) => m.code).join(', ')} (was ${before.municipalities.map((m) => m.code).join(', ')})`),
  );
  tenants.onRefused((error) => log.error(`registry change refused; version ${tenants.current().version} stays in force. ${error.message}`));
  plumbing.onClose(() => tenants.close());
  return tenants;
}
