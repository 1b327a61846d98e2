/**
 * Property resolvers: Citizen.address and Citizen.residence from CPR's address key through DAR,
 * Address, Building and Unit from DAR and BBR. Registry answers come from the adapters' cache.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { BuildingRecord, BuildingRegister, UnitRecord } from '../../adapters/bbr';
import type { AddressRecord, AddressRegister, CprAddressKey } from '../../adapters/dar';
import { NotFound } from '../../adapters/core/errors';
import { cprScalar } from '../../schema/scalars';
import { citizenReference } from '../shared/citizenReference';
import type { SubgraphContext } from '../shared/subgraphServer';

interface CitizenRepresentation {
  cpr: string;
  registeredAddress?: CprAddressKey | null;
}

export interface PropertyRegisters {
  addresses: AddressRegister;
  buildings: BuildingRegister;
}

export function propertyResolvers({ addresses, buildings }: PropertyRegisters): GraphQLResolverMap<SubgraphContext> {
  const citizenAddress = (citizen: CitizenRepresentation): Promise<AddressRecord> | null =>
    citizen.registeredAddress ? addresses.byCprAddress(citizen.registeredAddress) : null;
  const buildingOf = (address: AddressRecord): Promise<BuildingRecord> => buildings.buildingByAccessAddress(address.accessAddressId);
  const unitOf = async (address: AddressRecord): Promise<UnitRecord | null> => {
    const units = await buildings.unitsOfBuilding((await buildingOf(address)).id);
    return units.find((u) => u.addressId === address.id) ?? null;
  };

  return {
    CPR: cprScalar,
    Query: {
      address: (_root: unknown, args: { id: string }) => addresses.byId(args.id),
      building: (_root: unknown, args: { id: string }) => buildings.buildingById(args.id),
    },
    Citizen: {
      __resolveReference: (reference: CitizenRepresentation) => citizenReference(reference),
      address: (citizen: CitizenRepresentation) => citizenAddress(citizen),
      residence: (citizen: CitizenRepresentation) => (citizen.registeredAddress ? { citizen } : null),
    },
    Residence: {
      address: ({ citizen }: { citizen: CitizenRepresentation }) => citizenAddress(citizen),
      building: async ({ citizen }: { citizen: CitizenRepresentation }) => {
        const address = await citizenAddress(citizen);
        return address ? buildingOf(address) : null;
      },
      unit: async ({ citizen }: { citizen: CitizenRepresentation }) => {
        const address = await citizenAddress(citizen);
        return address ? unitOf(address) : null;
      },
    },
    Address: {
      __resolveReference: (reference: { id: string }) => addresses.byId(reference.id),
      municipality: (address: AddressRecord) => address.municipality,
      building: (address: AddressRecord) => buildingOf(address),
      unit: (address: AddressRecord) => unitOf(address),
    },
    Building: {
      __resolveReference: (reference: { id: string }) => buildings.buildingById(reference.id),
      usage: (building: BuildingRecord) => building.usageText ?? building.usageCode,
      units: (building: BuildingRecord) => buildings.unitsOfBuilding(building.id),
    },
    Unit: {
      __resolveReference: async (reference: { id: string }) => {
        const unit = await buildings.unitById(reference.id);
        if (!unit) throw new NotFound('bbr: no such unit', { system: 'bbr' });
        return unit;
      },
      usage: (unit: UnitRecord) => unit.usageText ?? unit.usageCode,
    },
  };
}
