/**
 * Shared scalars. The CPR scalar never echoes rejected input: graphql-js's built-in scalars
 * print the value they reject, and for a CPR number that would put personal data into errors
 * and logs.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const CPR_FORMAT = /^(\d{2})(\d{2})(\d{2})-?(\d{4})$/;
const CPR_MESSAGE = 'CPR must be written DDMMYY-SSSS (day 01–31, or 61–91 for substitute numbers; month 01–12)';

/** The ten digits of a CPR number written DDMMYY-SSSS or DDMMYYSSSS, or undefined when it is not one. */
export function parseCpr(text: string): string | undefined {
  const match = CPR_FORMAT.exec(text);
  if (!match) return undefined;
  const day = Number(match[1]);
  const month = Number(match[2]);
  // Substitute numbers add 60 to the day of month (erstatningspersonnummer).
  const validDay = (day >= 1 && day <= 31) || (day >= 61 && day <= 91);
  if (!validDay || month < 1 || month > 12) return undefined;
  return `${match[1]}${match[2]}${match[3]}${match[4]}`;
}

/** DDMMYY-SSSS from ten digits. */
export function formatCpr(digits: string): string {
  return `${digits.slice(0, 6)}-${digits.slice(6)}`;
}

export const cprScalar = new GraphQLScalarType<string, string>({
  name: 'CPR',
  description: 'A Danish CPR number, DDMMYY-SSSS.',
  serialize(value) {
    const digits = typeof value === 'string' ? parseCpr(value) : undefined;
    if (!digits) throw new GraphQLError('CPR value from a data source is not a CPR number');
    return formatCpr(digits);
  },
  parseValue(value) {
    const digits = typeof value === 'string' ? parseCpr(value) : undefined;
    if (!digits) throw new GraphQLError(CPR_MESSAGE, { extensions: { code: 'BAD_USER_INPUT' } });
    return digits;
  },
  parseLiteral(ast) {
    const digits = ast.kind === Kind.STRING ? parseCpr(ast.value) : undefined;
    if (!digits) throw new GraphQLError(CPR_MESSAGE, { extensions: { code: 'BAD_USER_INPUT' } });
    return digits;
  },
});

const DATE_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

export const dateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'An ISO 8601 calendar date, YYYY-MM-DD.',
  serialize(value) {
    if (typeof value !== 'string' || !DATE_FORMAT.test(value.slice(0, 10))) throw new GraphQLError('Date value is not YYYY-MM-DD');
    return value.slice(0, 10);
  },
  parseValue(value) {
    if (typeof value !== 'string' || !DATE_FORMAT.test(value) || Number.isNaN(Date.parse(value))) {
      throw new GraphQLError('Date must be written YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !DATE_FORMAT.test(ast.value) || Number.isNaN(Date.parse(ast.value))) {
      throw new GraphQLError('Date must be written YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return ast.value;
  },
});
