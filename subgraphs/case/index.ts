/**
 * Case subgraph: Case and Document from the national case index (SF1470), the KLE
 * classification and each municipality's ESDH. Calls those adapters only.
 */
import { createSoapCaseIndex } from '../../adapters/case-index';
import { createRegistryCache } from '../../adapters/core/cache';
import { createJsonClient } from '../../adapters/core/restClient';
import { createRestCaseSystem, type CaseSystem } from '../../adapters/esdh';
import { createKleClassification } from '../../adapters/kle';
import { subgraphSdl } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { startSubgraph, type RunningSubgraph, type SubgraphServerOptions } from '../shared/subgraphServer';
import { caseResolvers, type CaseServices } from './resolvers';

export { caseResolvers, type CaseServices } from './resolvers';

export function createCaseSubgraph(services: CaseServices) {
  return { name: 'case', typeDefs: subgraphSdl('case'), resolvers: caseResolvers(services) };
}

export function caseServicesFrom(config: LegacyConfig): CaseServices {
  const cache = createRegistryCache({ ttlSeconds: config.registryCacheTtlSeconds });
  const caseSystems = new Map<string, CaseSystem>();
  for (const m of config.municipalities) {
    const client = createJsonClient({ system: 'esdh', baseUrl: m.esdh.url, timeoutMs: config.timeoutMs });
    caseSystems.set(m.code, createRestCaseSystem({ municipalityCode: m.code, client }));
  }
  return {
    caseIndex: createSoapCaseIndex({
      wsdl: config.caseIndex.wsdl,
      ...(config.caseIndex.endpoint ? { endpoint: config.caseIndex.endpoint } : {}),
      ...(config.caseIndex.secondaryPartyRoles ? { secondaryPartyRoles: config.caseIndex.secondaryPartyRoles } : {}),
      timeoutMs: config.timeoutMs,
    }),
    classification: createKleClassification({ client: createJsonClient({ system: 'kle', baseUrl: config.kle.url, timeoutMs: config.timeoutMs }), cache }),
    caseSystems,
    municipalityByCvr: new Map(config.municipalities.map((m) => [m.cvr, m.code])),
  };
}

export function startCaseSubgraph(config: LegacyConfig, options: SubgraphServerOptions = {}): Promise<RunningSubgraph> {
  return startSubgraph(createCaseSubgraph(caseServicesFrom(config)), options);
}
