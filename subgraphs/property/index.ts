/**
 * Property subgraph: Address (DAR), Building and Unit (BBR), and where a citizen lives.
 * Calls the DAR and BBR adapters only.
 */
import { createRestBuildingRegister } from '../../adapters/bbr';
import { createRegistryCache } from '../../adapters/core/cache';
import { createJsonClient } from '../../adapters/core/restClient';
import { createRestAddressRegister } from '../../adapters/dar';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { startSubgraph, type RunningSubgraph, type SubgraphServerOptions } from '../shared/subgraphServer';
import { propertyResolvers, type PropertyRegisters } from './resolvers';

export { propertyResolvers, type PropertyRegisters } from './resolvers';

export function createPropertySubgraph(registers: PropertyRegisters) {
  return { name: 'property', typeDefs: subgraphSdl('property'), resolvers: propertyResolvers(registers) };
}

export function propertyRegistersFrom(config: LegacyConfig): PropertyRegisters {
  const cache = createRegistryCache({ ttlSeconds: config.registryCacheTtlSeconds });
  return {
    addresses: createRestAddressRegister({ client: createJsonClient({ system: 'dar', baseUrl: config.dar.url, timeoutMs: config.timeoutMs }), cache }),
    buildings: createRestBuildingRegister({ client: createJsonClient({ system: 'bbr', baseUrl: config.bbr.url, timeoutMs: config.timeoutMs }), cache }),
  };
}

export function startPropertySubgraph(config: LegacyConfig, options: SubgraphServerOptions = {}): Promise<RunningSubgraph> {
  return startSubgraph(createPropertySubgraph(propertyRegistersFrom(config)), options);
}
