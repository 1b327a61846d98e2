/**
 * Citizen subgraph: Citizen from the civil registry (CPR, SF1520). Calls the CPR adapter only.
 */
import { createSoapPersonRegistry, type PersonRegistry } from '../../adapters/cpr';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { startSubgraph, type RunningSubgraph, type SubgraphServerOptions } from '../shared/subgraphServer';
import { citizenResolvers } from './resolvers';

export { citizenResolvers } from './resolvers';

export function createCitizenSubgraph(registry: PersonRegistry) {
  return { name: 'citizen', typeDefs: subgraphSdl('citizen'), resolvers: citizenResolvers(registry) };
}

export function personRegistryFrom(config: LegacyConfig): PersonRegistry {
  return createSoapPersonRegistry({
    wsdl: config.cpr.wsdl,
    ...(config.cpr.endpoint ? { endpoint: config.cpr.endpoint } : {}),
    invocationContext: config.cpr.invocationContext,
    timeoutMs: config.timeoutMs,
  });
}

export function startCitizenSubgraph(config: LegacyConfig, options: SubgraphServerOptions = {}): Promise<RunningSubgraph> {
  return startSubgraph(createCitizenSubgraph(personRegistryFrom(config)), options);
}
