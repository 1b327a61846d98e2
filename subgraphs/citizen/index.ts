/**
 * Citizen subgraph: Citizen from the civil registry (CPR, SF1520) and their NemKonto (Easy Account).
 * Calls the CPR and NemKonto adapters only.
 */
import { createSoapPersonRegistry, type PersonRegistry, type SoapPersonRegistry } from '../../adapters/cpr';
import type { Resilience } from '../../adapters/core/resilience';
import { createSoapEasyAccountRegistry, type EasyAccountRegistry, type SoapEasyAccountRegistry } from '../../adapters/nemkonto';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { legacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { citizenResolvers } from './resolvers';

export { citizenResolvers } from './resolvers';

export function createCitizenSubgraph(registry: PersonRegistry, nemKonto?: EasyAccountRegistry) {
  return { name: 'citizen', typeDefs: subgraphSdl('citizen'), resolvers: citizenResolvers(registry, nemKonto) };
}

/** The NemKonto service the legacy configuration names, if it names one. */
export function easyAccountRegistryFrom(config: LegacyConfig, resilience?: Resilience): SoapEasyAccountRegistry | undefined {
  if (!config.nemkonto) return undefined;
  return createSoapEasyAccountRegistry({
    wsdl: config.nemkonto.wsdl,
    ...(config.nemkonto.endpoint ? { endpoint: config.nemkonto.endpoint } : {}),
    ...(config.nemkonto.clientCertificate ? { clientCertificate: config.nemkonto.clientCertificate } : {}),
    timeoutMs: config.timeoutMs,
    ...(resilience ? { resilience } : {}),
  });
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
  const nemKonto = easyAccountRegistryFrom(config, plumbing.resilience);
  if (nemKonto) plumbing.onClose(() => nemKonto.soap.close());
  return startSubgraph(createCitizenSubgraph(registry, nemKonto), plumbing.serverOptions(options));
}
