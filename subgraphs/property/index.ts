/**
 * Property subgraph: Address (DAR), Building and Unit (BBR), and where a citizen lives.
 * Calls the DAR and BBR adapters only.
 */
import { createRestBuildingRegister } from '../../adapters/bbr';
import { createRestAddressRegister } from '../../adapters/dar';
import { subgraphSdl } from '../../schema/subgraphs';
import { datafordelerAccess, type LegacyConfig } from '../shared/config';
import { legacyPlumbing, type LegacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { propertyResolvers, type PropertyRegisters } from './resolvers';

export { propertyResolvers, type PropertyRegisters } from './resolvers';

export function createPropertySubgraph(registers: PropertyRegisters) {
  return { name: 'property', typeDefs: subgraphSdl('property'), resolvers: propertyResolvers(registers) };
}

export function propertyRegistersFrom(config: LegacyConfig, plumbing: LegacyPlumbing = legacyPlumbing(config)): PropertyRegisters {
  return {
    addresses: createRestAddressRegister({ client: plumbing.restClient('dar', config.dar.url, datafordelerAccess(config.dar)), cache: plumbing.cache }),
    buildings: createRestBuildingRegister({ client: plumbing.restClient('bbr', config.bbr.url, datafordelerAccess(config.bbr)), cache: plumbing.cache }),
  };
}

export function startPropertySubgraph(config: LegacyConfig, options: SubgraphStartOptions): Promise<RunningSubgraph> {
  const plumbing = legacyPlumbing(config);
  return startSubgraph(createPropertySubgraph(propertyRegistersFrom(config, plumbing)), plumbing.serverOptions(options));
}
