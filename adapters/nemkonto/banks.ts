/**
 * Bank names by registration number (registreringsnummer). A registration number names one branch
 * of one bank; Finans Danmark keeps the register (not public), so this table holds the numbers
 * we know from published payment details. A number it lacks has no name: the registration number
 * is still shown.
 */
export const BANK_NAMES: ReadonlyMap<string, string> = new Map([
  ['1149', 'Saxo Bank'],
  ['1551', 'Danske Bank'],
  ['2720', 'Nordea'],
  ['2999', 'Nordea'],
  ['3409', 'Danske Bank'],
  ['5010', 'Jyske Bank'],
  ['6813', 'Sydbank'],
  ['7040', 'Sydbank'],
  ['7851', 'Jyske Bank'],
]);

/** The bank's name for a registration number, or null when the table does not know it. */
export function bankName(registrationNumber: string): string | null {
  return BANK_NAMES.get(registrationNumber) ?? null;
}
