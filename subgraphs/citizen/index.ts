/**
 * Citizen subgraph: Citizen from the civil registry (CPR, SF1520). Calls the CPR adapter only.
 */
import { createSoapPersonRegistry, type PersonRegistry, type SoapPersonRegistry } from '../../adapters/cpr';
import type { Resilience } from '../../adapters/core/resilience';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { legacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { citizenResolvers } from './resolvers';

export { citizenResolvers } from './resolvers';

export function createCitizenSubgraph(registry: PersonRegistry) {
  return { name: 'citizen', typeDefs: subgraphSdl('citizen'), resolvers: citizenResolvers(registry) };
}

export function personRegistryFrom(config: LegacyConfig, resilience?: Resilience): SoapPersonRegistry {
  return createSoapPersonRegistry({
    wsdl: config.cpr.wsdl,
    ...(config.cpr.endpoint ? { endpoint: config.cpr.endpoint } : {}),
    invocationContext: config.cpr.invocationContext,
    ...(config.cpr.clientCertificate ? { clientCertificate: config.cpr.clientCertificate } : {}),
    timeoutMs: config.timeoutMs,
    ...(resilience ? { resilience } : {}),
  });
}

export function startCitizenSubgraph(config: LegacyConfig, options: SubgraphStartOptions): Promise<RunningSubgraph> {
  const plumbing = legacyPlumbing(config);
  const registry = personRegistryFrom(config, plumbing.resilience);
  plumbing.onClose(() => registry.soap.close());
  return startSubgraph(createCitizenSubgraph(registry), plumbing.serverOptions(options));
}
