/** Name and place lists for the synthetic population; common Danish names, no real persons. */

export const femaleGivenNames = [
  'Anne', 'Kirsten', 'Mette', 'Hanne', 'Helle', 'Susanne', 'Lene', 'Maria', 'Marianne', 'Camilla',
  'Louise', 'Charlotte', 'Pia', 'Tina', 'Gitte', 'Julie', 'Sofie', 'Emma', 'Ida', 'Freja', 'Clara',
  'Laura', 'Anna', 'Karen', 'Inge', 'Bente', 'Lone', 'Signe', 'Mathilde', 'Ella', 'Alma', 'Agnes',
] as const;

export const maleGivenNames = [
  'Peter', 'Jens', 'Lars', 'Michael', 'Henrik', 'Thomas', 'Søren', 'Jan', 'Niels', 'Anders',
  'Morten', 'Jesper', 'Martin', 'Rasmus', 'Christian', 'Mads', 'Frederik', 'Mikkel', 'Jakob', 'Kasper',
  'William', 'Noah', 'Oscar', 'Lucas', 'Carl', 'Victor', 'Magnus', 'Emil', 'Oliver', 'Aksel', 'Bo', 'Ole',
] as const;

export const middleNames = ['Marie', 'Louise', 'Kristian', 'Bach', 'Holm', 'Skov', 'Lund', 'Dahl'] as const;

export const familyNames = [
  'Nielsen', 'Jensen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen',
  'Rasmussen', 'Jørgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Christiansen',
  'Poulsen', 'Johansen', 'Møller', 'Mortensen', 'Knudsen', 'Jakobsen', 'Mikkelsen', 'Frederiksen',
  'Holm', 'Schmidt', 'Laursen', 'Clausen', 'Berg', 'Enevoldsen', 'Vestergaard', 'Østergaard',
] as const;

export const streetNames = [
  'Vesterbrogade', 'Nørrebrogade', 'Amagerbrogade', 'Jagtvej', 'Strandvejen', 'Åboulevarden',
  'Søndergade', 'Nørregade', 'Vestergade', 'Østergade', 'Kirkevej', 'Skolevej', 'Bakkevej',
  'Engvej', 'Skovvej', 'Møllevej', 'Birkevej', 'Egevej', 'Rosenvænget', 'Lindevej', 'Havnegade',
  'Stationsvej', 'Parkvej', 'Ringvejen', 'Kongevejen', 'Dronningensgade', 'Grønnegade', 'Torvet',
  'Fælledvej', 'Bøgevej', 'Hybenvej', 'Syrenvej', 'Kastanievej', 'Ahornvej', 'Tværgade', 'Mølledammen',
] as const;

/** KLE main groups the synthetic cases are drawn from, with the unit that usually handles them. */
export const caseGroups = [
  { group: '15', unit: 'Jobcenter' },
  { group: '17', unit: 'Skole og Uddannelse' },
  { group: '27', unit: 'Socialforvaltningen' },
  { group: '28', unit: 'Dagtilbud' },
  { group: '29', unit: 'Sundhed og Omsorg' },
  { group: '32', unit: 'Ydelsesservice' },
] as const;

export const caseTitleSuffixes = ['ansøgning', 'revurdering', 'klage', 'opfølgning', 'henvendelse', 'tilsyn'] as const;

export const documentTemplates = [
  { title: 'Ansøgning modtaget', kind: 'INCOMING' },
  { title: 'Kvittering for modtagelse', kind: 'OUTGOING' },
  { title: 'Partshøring', kind: 'OUTGOING' },
  { title: 'Journalnotat', kind: 'NOTE' },
  { title: 'Lægeerklæring', kind: 'INCOMING' },
  { title: 'Afgørelse', kind: 'OUTGOING' },
  { title: 'Referat af samtale', kind: 'NOTE' },
  { title: 'Indsendt dokumentation', kind: 'INCOMING' },
] as const;
