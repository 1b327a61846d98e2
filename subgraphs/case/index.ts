/**
 * Case subgraph: Case and Document from the national case index (SF1470), the KLE
 * classification and each municipality's ESDH. Calls those adapters only.
 *
 * Which ESDH serves a municipality is the tenant registry's to say, through the vendor table
 * (adapters/esdh/vendors.ts: the built-in vendors and those of the modules `settings.vendors`
 * lists), and it may change while the subgraph runs: a municipality added is
 * served from its next request, a system moved or given another vendor is opened anew with a
 * closed breaker, a municipality removed is no longer served.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSoapCaseIndex } from '../../adapters/case-index';
import { LegacyUnavailable } from '../../adapters/core/errors';
import { builtInVendorTable, caseSystemVendorTable, type CaseSystem, type CaseSystemEntry, type CaseSystemVendorTable, type OpenedCaseSystem } from '../../adapters/esdh';
import { createKleClassification } from '../../adapters/kle';
import { logger } from '../../runtime/log';
import type { TenantRegistry } from '../../runtime/tenantRegistry';
import { subgraphSdl, type SubgraphEntry } from '../../schema/subgraphs';
import type { LegacyConfig } from '../shared/config';
import { legacyPlumbing, type LegacyPlumbing, type SubgraphStartOptions } from '../shared/legacyServices';
import { secretReader } from '../shared/secrets';
import { openSubgraphTenantRegistry } from '../shared/tenantRegistry';
import { startSubgraph, type RunningSubgraph } from '../shared/subgraphServer';
import { procedureCatalogue, type ProcedureCatalogue } from './procedureCatalogue';
import { loadCaseSystemVendors } from './vendorModules';
import { caseResolvers, type CaseServices } from './resolvers';

export { caseResolvers, type CaseServices } from './resolvers';

/** How long a moved ESDH's old client stays open for calls under way: past any request's budget. */
const MOVED_CLIENT_GRACE_MS = 60_000;

export function createCaseSubgraph(services: CaseServices) {
  return { name: 'case', typeDefs: subgraphSdl('case'), resolvers: caseResolvers(services) };
}

/** The tenant registry the configuration names, each ESDH entry read by its vendor's schema; closed with the subgraph. */
export function openTenantRegistry(config: LegacyConfig, plumbing: LegacyPlumbing, vendors: CaseSystemVendorTable = builtInVendorTable): TenantRegistry<CaseSystemEntry> {
  return openSubgraphTenantRegistry('case', config, plumbing, { esdh: vendors.entrySchema });
}

/** A case system its registry entry cannot open (a secret not where it says): every call is LEGACY_UNAVAILABLE. */
function unopenedCaseSystem(municipalityCode: string): CaseSystem {
  const refuse = () =>
    Promise.reject(new LegacyUnavailable(`esdh: the case system of municipality ${municipalityCode} cannot be opened with its configuration`, { system: 'esdh', tenant: municipalityCode, detail: 'configuration' }));
  return { municipalityCode, caseByNumber: refuse, documentsOfCase: refuse, document: refuse, openCase: refuse, fileDocument: refuse, changeStatus: refuse, publicDocuments: refuse };
}

export function caseServicesFrom(
  config: LegacyConfig,
  plumbing: LegacyPlumbing = legacyPlumbing(config),
  vendors: CaseSystemVendorTable = builtInVendorTable,
  tenants: TenantRegistry<CaseSystemEntry> = openTenantRegistry(config, plumbing, vendors),
  env: NodeJS.ProcessEnv = process.env,
): CaseServices {
  // A credentials file named relative to the registry is read from the registry's folder.
  const readSecret = secretReader(dirname(config.tenantRegistry), env);
  // One case system per municipality, opened through its vendor when first needed, replaced when its entry changes.
  const systems = new Map<string, { entry: string; opened: OpenedCaseSystem }>();
  const retire = (code: string) => {
    const known = systems.get(code);
    if (!known) return;
    systems.delete(code);
    plumbing.resilience.forget('esdh', code);
    // Calls already under way on the old system finish there; it closes when they surely have.
    setTimeout(() => void known.opened.close(), MOVED_CLIENT_GRACE_MS).unref();
  };
  tenants.onChange((now) => {
    for (const [code, known] of systems) {
      const m = now.byCode.get(code);
      if (!m || JSON.stringify(m.esdh) !== known.entry) retire(code);
    }
  });
  plumbing.onClose(async () => {
    for (const { opened } of systems.values()) await opened.close();
    systems.clear();
  });
  const open = (code: string, esdh: CaseSystemEntry): OpenedCaseSystem => {
    try {
      return vendors.open(esdh, { municipalityCode: code, timeoutMs: config.timeoutMs, resilience: plumbing.resilience, readSecret });
    } catch (error) {
      // The reason names the reference or the field, never a secret.
      logger({ service: 'subgraph:case', component: 'tenants' }).error(`the case system of municipality ${code} (${esdh.kind}) cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
      return { system: unopenedCaseSystem(code), close: () => undefined };
    }
  };
  const caseSystem = (code: string): CaseSystem | undefined => {
    const m = tenants.current().byCode.get(code);
    if (!m) return undefined;
    const entry = JSON.stringify(m.esdh);
    const known = systems.get(code);
    if (known?.entry === entry) return known.opened.system;
    retire(code);
    const opened = open(code, m.esdh);
    systems.set(code, { entry, opened });
    return opened.system;
  };
  const caseIndex = createSoapCaseIndex({
    wsdl: config.caseIndex.wsdl,
    ...(config.caseIndex.endpoint ? { endpoint: config.caseIndex.endpoint } : {}),
    ...(config.caseIndex.secondaryPartyRoles ? { secondaryPartyRoles: config.caseIndex.secondaryPartyRoles } : {}),
    ...(config.caseIndex.clientCertificate ? { clientCertificate: config.caseIndex.clientCertificate } : {}),
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

/** The project's own procedure catalogue, used unless the case subgraph's list entry names another folder. */
export const DEFAULT_PROCEDURES_DIR = fileURLToPath(new URL('../../procedures', import.meta.url));

/**
 * The procedure catalogue in `folder` (subgraphs.json: the case entry's `settings.procedures`,
 * relative to the project's root), its changes and refusals logged; closed with the subgraph.
 */
export async function openProcedureCatalogue(folder: string, plumbing: LegacyPlumbing): Promise<ProcedureCatalogue> {
  const log = logger({ service: 'subgraph:case', component: 'procedures' });
  const catalogue = await procedureCatalogue(folder, {
    onChange: (now, before) =>
      log.info(`catalogue version ${now.version} in force: ${now.byKle.size} procedures (was ${before.byKle.size}), KLE ${[...now.byKle.keys()].join(', ')}`),
    onRefused: (error) => log.error(`catalogue change refused; the one in force stays. ${error.message}`),
  });
  plumbing.onClose(() => catalogue.close());
  return catalogue;
}

/** The project's root, which the case subgraph's settings name their paths from. */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The procedure folder a list entry names (`settings.procedures`), else the project's own. */
export function proceduresFolderOf(entry: SubgraphEntry | undefined): string {
  const named = entry?.settings['procedures'];
  if (named === undefined) return DEFAULT_PROCEDURES_DIR;
  if (typeof named !== 'string' || named.length === 0) throw new Error('subgraphs.json: the case subgraph\'s settings.procedures must be a folder path');
  return resolve(PROJECT_ROOT, named);
}

/** The vendor modules a list entry names (`settings.vendors`, paths from the project's root), absolute; none when it names none. */
export function vendorModulesOf(entry: SubgraphEntry | undefined): string[] {
  const named = entry?.settings['vendors'];
  if (named === undefined) return [];
  if (!Array.isArray(named) || named.some((path) => typeof path !== 'string' || path.length === 0)) {
    throw new Error('subgraphs.json: the case subgraph\'s settings.vendors must be a list of module paths');
  }
  return (named as string[]).map((path) => resolve(PROJECT_ROOT, path));
}

export async function startCaseSubgraph(config: LegacyConfig, options: SubgraphStartOptions, entry?: SubgraphEntry): Promise<RunningSubgraph> {
  // The vendors first: the registry's entries are read by their schemas.
  const vendors = caseSystemVendorTable(await loadCaseSystemVendors(vendorModulesOf(entry)));
  const plumbing = legacyPlumbing(config);
  const catalogue = await openProcedureCatalogue(proceduresFolderOf(entry), plumbing);
  const services: CaseServices = { ...caseServicesFrom(config, plumbing, vendors), procedures: () => catalogue.current().byKle };
  return startSubgraph(createCaseSubgraph(services), plumbing.serverOptions(options));
}
