/**
 * Citizen subgraph: Citizen from the civil registry (CPR, SF1520) and their NemKonto (Easy Account).
 * Calls the CPR and NemKonto adapters only.
 *
 * Each CPR look-up is made under the Serviceplatformen service agreement of the caller's
 * municipality when the tenant registry gives it one (`serviceplatformen`), else under the
 * deployment's (legacy configuration). The registry in force is asked on every look-up, so an
 * agreement added, changed or removed holds from the next call, without a restart.
 */
import { createSoapPersonRegistry, type PersonRegistry, type SoapPersonRegistry } from '../../adapters/cpr';
import type { Resilience } from '../../adapters/core/resilience';
import { createSoapEasyAccountRegistry, type EasyAccountRegistry, type SoapEasyAccountRegistry } from '../../adapters/nemkonto';
import type { TenantRegistry } from '../../runtime/tenantRegistry';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { legacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { openSubgraphTenantRegistry } from '../shared/tenantRegistry';
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

/**
 * The CPR service the legacy configuration names, under the deployment's service agreement; with
 * `tenants`, a municipality the registry in force gives an agreement of its own calls under that.
 */
export function personRegistryFrom(config: LegacyConfig, resilience?: Resilience, tenants?: TenantRegistry): SoapPersonRegistry {
  return createSoapPersonRegistry({
    wsdl: config.cpr.wsdl,
    ...(config.cpr.endpoint ? { endpoint: config.cpr.endpoint } : {}),
    invocationContext: config.cpr.invocationContext,
    ...(tenants ? { serviceAgreementOf: (code: string) => tenants.current().byCode.get(code)?.serviceplatformen } : {}),
    ...(config.cpr.clientCertificate ? { clientCertificate: config.cpr.clientCertificate } : {}),
    timeoutMs: config.timeoutMs,
    ...(resilience ? { resilience } : {}),
  });
}

export function startCitizenSubgraph(config: LegacyConfig, options: SubgraphStartOptions): Promise<RunningSubgraph> {
  const plumbing = legacyPlumbing(config);
  const tenants = openSubgraphTenantRegistry('citizen', config, plumbing);
  const registry = personRegistryFrom(config, plumbing.resilience, tenants);
  plumbing.onClose(() => registry.soap.close());
  const nemKonto = easyAccountRegistryFrom(config, plumbing.resilience);
  if (nemKonto) plumbing.onClose(() => nemKonto.soap.close());
  return startSubgraph(createCitizenSubgraph(registry, nemKonto), plumbing.serverOptions(options));
}
