/**
 * BBR technical installation classification (TekniskAnlæg tek020Klassifikation, kodeliste
 * "Klassifikation") → Danish text. A code the table does not know is shown as the code with text
 * null, never an error.
 *
 * The four-digit codes come in groups: 11xx containers (tanks, silos, gas holders, waste
 * containers), 12xx energy production or distribution, 13xx water supply, cleaning and pools, and
 * 19xx other installations. An oil tank is a 1110 tank: what it holds is a separate field (tek034).
 * There is no separate code for an oil burner. Only Naturgasfyr (1265) and Halmfyr (1275) are fuel-specific.
 *
 * Sources, read 2026-12-03:
 * - The official list is the ki.bbr.dk kodeliste "Klassifikation"
 *   (https://ki.bbr.dk/kodelister-bbr/0/1/0/Klassifikation). That page was not among the stored
 *   copies we could search, so the texts were taken from copies of the BBR code lists published in
 *   public repositories. One of those copies matches the stored ki.bbr.dk pages word for word for
 *   every list we could compare (Boligtype, Afloebsforhold, SupplerendeVarme, Fredning,
 *   LovligAnvendelse, ForretningsProcess), and an independent older copy agrees on every code
 *   except the ones it lacks (1275, 1280, 1960, 1965, 1970, which were added later).
 * - The 2011 guidance on registering oil tanks in BBR, as stored at
 *   http://docplayer.dk/3199679-I-forbindelse-med-konverteringen-af-olietanke-fra-det-gamle-bbr-skal-man-ogsaa-vaere-opmaerksom-paa-at-olietanke-var-registreret-paa-ejendomsnummerniveau.html
 *   (the groups Beholdere, Energiproducerende eller -distribuerende anlæg, Anlæg til
 *   vandindvinding, vandrensning m.m. and Andre tekniske anlæg, and "Tank (Produkt på væske form)"),
 *   and https://instruks.bbr.dk/olietanke/0/31 (the older BBR 1.x oil tank fields).
 * No code group is missing. Codes added after the copies were made would show as code only.
 */
export const installationClassification: Readonly<Record<string, string>> = {
  // 11xx: beholdere.
  '1110': 'Tank (Produkt på væskeform)',
  '1120': 'Silo (Produkt på fast form)',
  '1130': 'Gasbeholder (Produkt på gasform)',
  '1140': 'Affaldsbeholder',
  // 12xx: energiproducerende eller -distribuerende anlæg.
  '1210': 'Vindmølle (elproducerende)',
  '1220': 'Slanger til jordvarme',
  '1230': 'Solvarme-/ solcelleanlæg',
  '1240': 'Nødstrømsforsyningsanlæg',
  '1250': 'Transformerstation',
  '1260': 'Elskab',
  '1265': 'Naturgasfyr',
  '1270': 'Andet energiproducerende eller - distribuerende anlæg',
  '1275': 'Halmfyr',
  '1280': 'Biogasanlæg',
  // 13xx: anlæg til vandindvinding, vandrensning m.m.
  '1310': 'Vandtårn',
  '1320': 'Pumpestation',
  '1330': 'Swimmingpool',
  '1340': 'Private rensningsanlæg f.eks. pileanlæg, nedsivningsanlæg',
  '1350': 'Offentlige rensningsanlæg',
  '1360': 'Regnvandsanlæg',
  // 19xx: andre tekniske anlæg.
  '1905': 'Legeplads',
  '1910': 'Teknikhus',
  '1915': 'Døgnpostboks',
  '1920': 'Køleanlæg (herunder aircondition)',
  '1925': 'Kunstværk (springvand, mindesmærker m.v.)',
  '1930': 'Sirene / mast med sirene',
  '1935': 'Skilt',
  '1940': 'Antenne / mast fx tv, radio- og telekommunikation',
  '1945': 'Dambrug',
  '1950': 'Møddingsanlæg',
  '1955': 'Andet teknisk anlæg',
  '1960': 'Ensilageanlæg',
  '1965': 'Planlager',
  '1970': 'Fortidsminde, historisk ruin',
};
