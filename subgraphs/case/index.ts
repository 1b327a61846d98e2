/**
 * Case subgraph: Case and Document from the national case index (SF1470), the KLE
 * classification and each municipality's ESDH. Calls those adapters only.
 */
import { createSoapCaseIndex } from '../../adapters/case-index';
import { createRestCaseSystem, type CaseSystem } from '../../adapters/esdh';
import { createKleClassification } from '../../adapters/kle';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { legacyPlumbing, type LegacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { caseResolvers, type CaseServices } from './resolvers';

export { caseResolvers, type CaseServices } from './resolvers';

export function createCaseSubgraph(services: CaseServices) {
  return { name: 'case', typeDefs: subgraphSdl('case'), resolvers: caseResolvers(services) };
}

export function caseServicesFrom(config: LegacyConfig, plumbing: LegacyPlumbing = legacyPlumbing(config)): CaseServices {
  const caseSystems = new Map<string, CaseSystem>();
  for (const m of config.municipalities) {
    caseSystems.set(m.code, createRestCaseSystem({ municipalityCode: m.code, client: plumbing.restClient('esdh', m.esdh.url) }));
  }
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
    caseSystems,
    municipalityByCvr: new Map(config.municipalities.map((m) => [m.cvr, m.code])),
    cvrByMunicipality: new Map(config.municipalities.map((m) => [m.code, m.cvr])),
  };
}

export function startCaseSubgraph(config: LegacyConfig, options: SubgraphStartOptions): Promise<RunningSubgraph> {
  const plumbing = legacyPlumbing(config);
  return startSubgraph(createCaseSubgraph(caseServicesFrom(config, plumbing)), plumbing.serverOptions(options));
}
