/**
 * Property resolvers: Citizen.address and Citizen.residence from CPR's address key through DAR,
 * Address, Building and Unit from DAR and BBR. Registry answers come from the adapters' cache.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { BuildingRecord, BuildingRegister, UnitRecord } from '../../adapters/bbr';
import type { AddressRecord, AddressRegister, CprAddressKey } from '../../adapters/dar';
import { legacyErrorOf, NotFound } from '../../adapters/core/errors';
import { cprScalar } from '../../schema/scalars';
import { citizenReference } from '../shared/citizenReference';
import { requireOwnData } from '../shared/ownData';
import type { SubgraphContext } from '../shared/subgraphServer';

interface CitizenRepresentation {
  cpr: string;
  /** CPR's key, or the code of CPR's failure to give it. */
  registeredAddress?: (CprAddressKey & { failure?: null }) | { failure: string } | null;
}

export interface PropertyRegisters {
  addresses: AddressRegister;
  buildings: BuildingRegister;
}

export function propertyResolvers({ addresses, buildings }: PropertyRegisters): GraphQLResolverMap<SubgraphContext> {
  /** Call options for one request: its deadline, and a note when a stale cached answer was served. */
  const via = (ctx: SubgraphContext, system: 'dar' | 'bbr') => ({ signal: ctx.signal, onStale: () => ctx.stale.add(system) });
  const citizenAddress = (ctx: SubgraphContext, citizen: CitizenRepresentation): Promise<AddressRecord> | null => {
    requireOwnData(ctx, citizen.cpr, 'Citizen.address');
    const key = citizen.registeredAddress;
    if (!key) return null;
    if (key.failure) throw legacyErrorOf(key.failure, 'cpr: the citizen\'s address could not be read from CPR', { system: 'cpr' });
    // Where a citizen lives is personal data, even when DAR's answer comes from the cache.
    ctx.access.touched(citizen.cpr, 'Citizen.address', 'dar');
    return addresses.byCprAddress(key as CprAddressKey, { ...via(ctx, 'dar'), onCached: () => ctx.access.fromCache(citizen.cpr, 'dar') });
  };
  const buildingOf = (ctx: SubgraphContext, address: AddressRecord): Promise<BuildingRecord> =>
    buildings.buildingByAccessAddress(address.accessAddressId, via(ctx, 'bbr'));
  const unitOf = async (ctx: SubgraphContext, address: AddressRecord): Promise<UnitRecord | null> => {
    const units = await buildings.unitsOfBuilding((await buildingOf(ctx, address)).id, via(ctx, 'bbr'));
    return units.find((u) => u.addressId === address.id) ?? null;
  };
  type Residence = { citizen: CitizenRepresentation };

  return {
    CPR: cprScalar,
    Query: {
      address: (_root: unknown, args: { id: string }, ctx: SubgraphContext) => addresses.byId(args.id, via(ctx, 'dar')),
      building: (_root: unknown, args: { id: string }, ctx: SubgraphContext) => buildings.buildingById(args.id, via(ctx, 'bbr')),
    },
    Citizen: {
      __resolveReference: (reference: CitizenRepresentation) => citizenReference(reference),
      address: (citizen: CitizenRepresentation, _args: unknown, ctx: SubgraphContext) => citizenAddress(ctx, citizen),
      residence: (citizen: CitizenRepresentation, _args: unknown, ctx: SubgraphContext): Residence | null => {
        requireOwnData(ctx, citizen.cpr, 'Citizen.residence');
        return citizen.registeredAddress ? { citizen } : null;
      },
    },
    Residence: {
      address: ({ citizen }: Residence, _args: unknown, ctx: SubgraphContext) => citizenAddress(ctx, citizen),
      building: async ({ citizen }: Residence, _args: unknown, ctx: SubgraphContext) => {
        const address = await citizenAddress(ctx, citizen);
        return address ? buildingOf(ctx, address) : null;
      },
      unit: async ({ citizen }: Residence, _args: unknown, ctx: SubgraphContext) => {
        const address = await citizenAddress(ctx, citizen);
        return address ? unitOf(ctx, address) : null;
      },
    },
    Address: {
      __resolveReference: (reference: { id: string }, ctx: SubgraphContext) => addresses.byId(reference.id, via(ctx, 'dar')),
      municipality: (address: AddressRecord) => address.municipality,
      building: (address: AddressRecord, _args: unknown, ctx: SubgraphContext) => buildingOf(ctx, address),
      unit: (address: AddressRecord, _args: unknown, ctx: SubgraphContext) => unitOf(ctx, address),
    },
    Building: {
      __resolveReference: (reference: { id: string }, ctx: SubgraphContext) => buildings.buildingById(reference.id, via(ctx, 'bbr')),
      usage: (building: BuildingRecord) => building.usageText ?? building.usageCode,
      units: (building: BuildingRecord, _args: unknown, ctx: SubgraphContext) => buildings.unitsOfBuilding(building.id, via(ctx, 'bbr')),
    },
    Unit: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        const unit = await buildings.unitById(reference.id, via(ctx, 'bbr'));
        if (!unit) throw new NotFound('bbr: no such unit', { system: 'bbr' });
        return unit;
      },
      usage: (unit: UnitRecord) => unit.usageText ?? unit.usageCode,
    },
  };
}
