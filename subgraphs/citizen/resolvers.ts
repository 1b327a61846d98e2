/**
 * Citizen resolvers. A Citizen value is just `{ cpr }`; each field loads the CPR record through
 * the request's loader, so a citizen referenced only by number costs no look-up, and one looked
 * up by many paths (root, spouse, case party) costs one.
 */
import type { PersonRecord, PersonRegistry } from '../../adapters/cpr';
import { LegacyUnavailable, NotFound as NotFoundError } from '../../adapters/core/errors';
import type { EasyAccountRegistry } from '../../adapters/nemkonto';
import { isLegacyError, isNotFound, type LegacyError, type LegacyErrorCode } from '../../adapters/core/errors';
import { eachKey } from '../../adapters/core/loaders';
import { cprScalar, dateScalar } from '../../schema/scalars';
import { addressDisclosure } from './addressProtection';
import { citizenReference } from '../shared/citizenReference';
import { mayReadPerson, requireOwnData } from '../shared/ownData';
import type { SubgraphContext } from '../shared/subgraphServer';
import type { CivilRegistrationStatus, MaritalStatus, Resolvers } from './generated/resolvers';
import type { CitizenParent as CitizenRef } from './parents';

/** Where Citizen.nemKonto comes from; absent: the deployment has no NemKonto service configured. */
export type NemKontoSource = EasyAccountRegistry | undefined;

export function citizenResolvers(registry: PersonRegistry, nemKonto?: NemKontoSource): Resolvers {
  const person = (ctx: SubgraphContext, cpr: string): Promise<PersonRecord> =>
    // Under the caller's municipality: its own breaker and bulkhead, and its own Serviceplatformen
    // service agreement when the tenant registry gives it one (else the deployment's).
    //
    // The answer is kept for this request only, and per municipality: never handed to a caller of
    // another. The data would be the same under either agreement, but the access would not: a
    // look-up is a disclosure Serviceplatformen authorises and logs under the agreement it is made
    // under, so an answer fetched under municipality X's agreement and shown to a caller of Y would
    // be Y reading CPR with no call of Y's on record and no check of Y's own agreement (withdrawn,
    // say, or not covering these data). Sharing across municipalities is therefore wrong; within a
    // request there is one caller and one agreement, so the loader's one call per person stands.
    ctx.loaders
      .loader<string, PersonRecord>(`cpr:person:${ctx.caller.tenant ?? ''}`, eachKey((key) => registry.lookup(key, { signal: ctx.signal, ...(ctx.caller.tenant ? { tenant: ctx.caller.tenant } : {}) })))
      .load(cpr);
  /** A CPR-backed field; `ofOthers` when a citizen may read it of the persons in their relations. */
  const field =
    <T>(pick: (p: PersonRecord) => T, ofOthers = false) =>
    async (parent: CitizenRef, _args: unknown, ctx: SubgraphContext, info: { fieldName: string }) => {
      const coordinate = `Citizen.${info.fieldName}`;
      if (!ofOthers) requireOwnData(ctx, parent.cpr, coordinate);
      const value = pick(await person(ctx, parent.cpr));
      ctx.access.touched(parent.cpr, coordinate, 'cpr');
      return value;
    };
  const related = (ctx: SubgraphContext, cpr: string | null, coordinate: string): CitizenRef | null => {
    if (!cpr) return null;
    ctx.access.touched(cpr, coordinate, 'cpr');
    return { cpr };
  };
  const relatedAll = (ctx: SubgraphContext, cprs: readonly string[], coordinate: string): CitizenRef[] =>
    cprs.map((cpr) => related(ctx, cpr, coordinate)!);

  return {
    CPR: cprScalar,
    Date: dateScalar,
    Query: {
      async citizen(_root: unknown, args: { cpr: string }, ctx: SubgraphContext): Promise<CitizenRef> {
        // Load now, so an unknown number is a NOT_FOUND at `citizen`, not at each field. Asking
        // CPR about a number is an access to it, whatever the answer.
        ctx.access.touched(args.cpr, 'Query.citizen', 'cpr');
        try {
          await person(ctx, args.cpr);
        } catch (error) {
          if (isNotFound(error)) throw error;
          // CPR failed, not answered: the citizen still exists for the other systems (cases,
          // documents), and each CPR-backed field reports the failure at its own path.
        }
        return { cpr: args.cpr };
      },
    },
    Citizen: {
      __resolveReference: (reference: CitizenRef): CitizenRef => ({ cpr: citizenReference(reference).cpr }),
      nemKonto: async (parent: CitizenRef, _args: unknown, ctx: SubgraphContext) => {
        requireOwnData(ctx, parent.cpr, 'Citizen.nemKonto');
        if (!nemKonto) throw new LegacyUnavailable('nemkonto: no NemKonto service is configured in this deployment', { system: 'nemkonto', detail: 'configuration' });
        // Asked is accessed, found or not.
        ctx.access.touched(parent.cpr, 'Citizen.nemKonto', 'nemkonto');
        try {
          const account = await nemKonto.accountOf(parent.cpr, { signal: ctx.signal, ...(ctx.caller.tenant ? { tenant: ctx.caller.tenant } : {}) });
          return { bank: account.bank, accountNumberMasked: `******${account.accountNumberLast4}` };
        } catch (error) {
          // No account is an answer, not a failure: null without an error.
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      },
      name: field((p) => p.name, true),
      birthDate: field((p) => p.birthDate),
      sex: field((p) => (p.sex === 'K' ? 'FEMALE' : p.sex === 'M' ? 'MALE' : null)),
      status: field((p) => civilRegistrationStatus(p.status)),
      maritalStatus: field((p) => (p.maritalStatus ? (MARITAL[p.maritalStatus] ?? null) : null)),
      addressProtected: field((p) => p.addressProtected),
      relations: field((p) => p.relations),
      // Address protection (adressebeskyttelse) is honoured at the source, for the whole household
      // (./addressProtection.ts): the key that leads to the address never leaves this subgraph when
      // a protected person is registered there.
      // Handed to the property subgraph, not to the client: not an access of its own (the
      // property subgraph reports Citizen.address when it shows one).
      registeredAddress: async (parent: CitizenRef, _args: unknown, ctx: SubgraphContext) => {
        // Another person's key never leaves for a citizen: the property subgraph refuses the address itself.
        if (!mayReadPerson(ctx, parent.cpr)) return null;
        let citizen: PersonRecord;
        try {
          citizen = await person(ctx, parent.cpr);
        } catch (error) {
          // The address is the field that fails, not this internal key: the property subgraph
          // reports the failure at Citizen.address.
          if (isLegacyError(error) && !isNotFound(error)) return { failure: error.code };
          throw error;
        }
        // The relatives are looked up only to decide; nothing of theirs leaves this subgraph, so
        // they are not reported to the access log (ctx.access.touched): a record would say the
        // caller read data about them that the caller never saw. Relatives the answer does show
        // are reported by the fields that show them.
        const decision = await addressDisclosure(citizen, (cpr) => person(ctx, cpr));
        if (decision.disclose) return citizen.address;
        if (decision.reason !== 'unverified') return null;
        // Fail closed, as a failure rather than null: null would pass a CPR outage off as "no
        // address" or as protection (which a caseworker would act on), while the failure form
        // withholds the key just the same and says truthfully that CPR could not answer.
        if (isLegacyError(decision.error)) return { failure: relativeFailureCode(decision.error) };
        throw decision.error;
      },
    },
    // A related person's CPR number is disclosed by naming them: an access to them as well.
    Relations: {
      spouse: (r: PersonRecord['relations'], _a: unknown, ctx: SubgraphContext) => related(ctx, r.spouse, 'Relations.spouse'),
      children: (r: PersonRecord['relations'], _a: unknown, ctx: SubgraphContext) => relatedAll(ctx, r.children, 'Relations.children'),
      mother: (r: PersonRecord['relations'], _a: unknown, ctx: SubgraphContext) => related(ctx, r.mother, 'Relations.mother'),
      father: (r: PersonRecord['relations'], _a: unknown, ctx: SubgraphContext) => related(ctx, r.father, 'Relations.father'),
      custodyHolders: (r: PersonRecord['relations'], _a: unknown, ctx: SubgraphContext) => relatedAll(ctx, r.custodyHolders, 'Relations.custodyHolders'),
    },
  };
}

/**
 * The code to report at Citizen.address when a relative's look-up failed. CPR not knowing a
 * person its own relations name is an inconsistent answer, not an unknown address: reported as
 * NOT_FOUND it would read as "this citizen's address does not exist".
 */
function relativeFailureCode(error: LegacyError): LegacyErrorCode {
  return isNotFound(error) ? 'LEGACY_BAD_RESPONSE' : error.code;
}

const MARITAL: Readonly<Record<string, MaritalStatus>> = {
  U: 'UNMARRIED',
  G: 'MARRIED',
  F: 'DIVORCED',
  E: 'WIDOWED',
  P: 'REGISTERED_PARTNERSHIP',
  O: 'PARTNERSHIP_DISSOLVED',
  L: 'SURVIVING_PARTNER',
  D: 'DECEASED',
};

/** CPR status codes (SF1520 statusTypeType) grouped as the graph shows them. */
export function civilRegistrationStatus(code: number | null): CivilRegistrationStatus | null {
  switch (code) {
    case 1: case 3: case 5: case 7: return 'ACTIVE';
    case 20: return 'TAX_ONLY';
    case 30: case 50: case 60: return 'REPLACED';
    case 70: return 'DISAPPEARED';
    case 80: return 'EMIGRATED';
    case 90: return 'DEAD';
    default: return null;
  }
}
