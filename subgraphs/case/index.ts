/**
 * Case subgraph: Case and Document from the national case index (SF1470), the KLE
 * classification and each municipality's ESDH. Calls those adapters only.
 *
 * Which ESDH serves a municipality is the tenant registry's to say, and it may change while the
 * subgraph runs: a municipality added is served from its next request, a system moved gets a new
 * client and a closed breaker, a municipality removed is no longer served.
 */
import { createSoapCaseIndex } from '../../adapters/case-index';
import { createRestCaseSystem, type CaseSystem } from '../../adapters/esdh';
import { createKleClassification } from '../../adapters/kle';
import { tenantRegistryFile, type TenantRegistry } from '../../runtime/tenantRegistry';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { legacyPlumbing, type LegacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { caseResolvers, type CaseServices } from './resolvers';

export { caseResolvers, type CaseServices } from './resolvers';

/** How long a moved ESDH's old client stays open for calls under way: past any request's budget. */
const MOVED_CLIENT_GRACE_MS = 60_000;

export function createCaseSubgraph(services: CaseServices) {
  return { name: 'case', typeDefs: subgraphSdl('case'), resolvers: caseResolvers(services) };
}

/** The tenant registry the configuration names, with its changes logged; closed with the subgraph. */
export function openTenantRegistry(config: LegacyConfig, plumbing: LegacyPlumbing): TenantRegistry {
  const tenants = tenantRegistryFile(config.tenantRegistry);
  tenants.onChange((now, before) =>
    console.warn(`[tenants] registry version ${now.version} in force: ${now.municipalities.map((m) => m.code).join(', ')} (was ${before.municipalities.map((m) => m.code).join(', ')})`),
  );
  tenants.onRefused((error) => console.error(`[tenants] registry change refused; version ${tenants.current().version} stays in force. ${error.message}`));
  plumbing.onClose(() => tenants.close());
  return tenants;
}

export function caseServicesFrom(config: LegacyConfig, plumbing: LegacyPlumbing = legacyPlumbing(config), tenants: TenantRegistry = openTenantRegistry(config, plumbing)): CaseServices {
  // One client per municipality's ESDH, made when first needed and replaced when the registry moves it.
  const systems = new Map<string, { where: string; system: CaseSystem; close(): Promise<void> }>();
  tenants.onChange((now) => {
    for (const [code, known] of systems) {
      const m = now.byCode.get(code);
      if (m && `${m.esdh.kind} ${m.esdh.url}` === known.where) continue;
      systems.delete(code);
      plumbing.resilience.forget('esdh', code);
      // Calls already under way on the old client finish there; it closes when they surely have.
      setTimeout(() => void known.close(), MOVED_CLIENT_GRACE_MS).unref();
    }
  });
  const caseSystem = (code: string): CaseSystem | undefined => {
    const m = tenants.current().byCode.get(code);
    if (!m) return undefined;
    const where = `${m.esdh.kind} ${m.esdh.url}`;
    const known = systems.get(code);
    if (known?.where === where) return known.system;
    const client = plumbing.restClient('esdh', m.esdh.url);
    const system = createRestCaseSystem({ municipalityCode: code, client });
    systems.set(code, { where, system, close: () => client.close() });
    return system;
  };
  const caseIndex = createSoapCaseIndex({
    wsdl: config.caseIndex.wsdl,
    ...(config.caseIndex.endpoint ? { endpoint: config.caseIndex.endpoint } : {}),
    ...(config.caseIndex.secondaryPartyRoles ? { secondaryPartyRoles: config.caseIndex.secondaryPartyRoles } : {}),
    timeoutMs: config.timeoutMs,
    resilience: plumbing.resilience,
  });
  plumbing.onClose(() => caseIndex.soap.close());
  return {
    caseIndex,
    classification: createKleClassification({ client: plumbing.restClient('kle', config.kle.url), cache: plumbing.cache }),
    tenants: () => tenants.current(),
    caseSystem,
  };
}

export function startCaseSubgraph(config: LegacyConfig, options: SubgraphStartOptions): Promise<RunningSubgraph> {
  const plumbing = legacyPlumbing(config);
  return startSubgraph(createCaseSubgraph(caseServicesFrom(config, plumbing)), plumbing.serverOptions(options));
}
