/**
 * BBR usage codes (BygAnvendelse / EnhAnvendelse kodeliste) → Danish text, for the codes
 * housing and everyday registry work meet. Unknown codes pass through as code only.
 */
export const buildingUsage: Readonly<Record<string, string>> = {
  '110': 'Stuehus til landbrugsejendom',
  '120': 'Fritliggende enfamiliehus',
  '121': 'Sammenbygget enfamiliehus',
  '122': 'Fritliggende enfamiliehus i tæt-lav bebyggelse',
  '130': 'Række-, kæde- eller dobbelthus',
  '131': 'Række-, kæde- og klyngehus',
  '132': 'Dobbelthus',
  '140': 'Etageboligbygning, flerfamiliehus eller to-familiehus',
  '150': 'Kollegium',
  '160': 'Boligbygning til døgninstitution',
  '190': 'Anden bygning til helårsbeboelse',
  '321': 'Bygning til kontor',
  '322': 'Bygning til detailhandel',
  '323': 'Bygning til lager',
  '510': 'Sommerhus',
  // The small buildings on nearly every residential plot (garages, carports, sheds), 900–999.
  '910': 'Garage',
  '920': 'Carport',
  '930': 'Udhus',
  '940': 'Drivhus',
  '950': 'Fritliggende overdækning',
  '960': 'Fritliggende udestue',
  '970': 'Tiloversbleven landbrugsbygning',
  '990': 'Faldefærdig bygning',
  '999': 'Ukendt bygning',
};

export const unitUsage: Readonly<Record<string, string>> = {
  '110': 'Stuehus til landbrugsejendom',
  '120': 'Fritliggende enfamiliehus',
  '121': 'Sammenbygget enfamiliehus',
  '131': 'Række- og kædehus',
  '132': 'Dobbelthus',
  '140': 'Bolig i etageejendom, flerfamiliehus eller to-familiehus',
  '150': 'Kollegiebolig',
  '190': 'Anden enhed til helårsbeboelse',
  '321': 'Enhed til kontor',
  '322': 'Enhed til detailhandel',
  '510': 'Sommerhus',
};
