/**
 * What the gateway's explorer offers under the local stack: the sample operations, filled in with
 * the sample citizen of København, and the demo roles of the development identity provider to ask
 * them as. Here, not in gateway/: the gateway knows neither the simulated world nor its samples.
 */
import type { DevIdentityProvider } from '../gateway/auth/devIdentity';
import { demoClaims } from '../gateway/auth/devIdentity';
import type { DemoSignIn, ExplorerSettings, SampleOperation } from '../gateway/explorer/page';
import { formatCpr } from '../schema/scalars';
import { CASE_LIST_QUERY, CITIZEN_OVERVIEW_QUERY, CITIZEN_OWN_PAGE_QUERY, sampleCitizens } from '../simulators/data/samples';
import type { Person, World } from '../simulators/data/world';

/** Without a world (start:gateway, over real systems), the samples ask the reader for a CPR number. */
export function explorerSamples(world: World | undefined, identity: DevIdentityProvider | undefined): ExplorerSettings {
  const samples = world ? sampleCitizens(world) : new Map<string, Person>();
  const citizen = samples.get('0101') ?? [...samples.values()][0];
  const cpr = citizen ? formatCpr(citizen.cpr) : 'DDMMYY-SSSS';
  const operations: SampleOperation[] = [
    { query: CITIZEN_OVERVIEW_QUERY, variables: { cpr }, askedAs: 'caseworker' },
    { query: CITIZEN_OWN_PAGE_QUERY, variables: { cpr }, askedAs: 'citizen' },
    { query: CASE_LIST_QUERY, variables: { first: 20 }, askedAs: 'caseworker' },
  ];
  if (!identity) return { operations };
  // The claims npm start's and npm run token's demo users have (demoClaims): a purpose in each token, so no x-purpose is needed.
  const demoSignIns: DemoSignIn[] = [
    { role: 'caseworker', label: 'Caseworker, København (0101)', mint: () => identity.mint(demoClaims('caseworker')) },
    ...(citizen ? [{ role: 'citizen' as const, label: `Citizen ${cpr} (the sample citizen, self-service)`, mint: () => identity.mint(demoClaims('citizen', { sub: citizen.cpr })) }] : []),
    { role: 'auditor', label: 'Auditor (the graph\'s public data; the trail is at /audit/records)', mint: () => identity.mint(demoClaims('auditor')) },
  ];
  return { operations, demoSignIns };
}
