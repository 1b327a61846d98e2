import { describe, expect, it } from 'vitest';
import { maskError, withoutEchoedValue } from '../../gateway/plugins/maskErrors';

describe('maskError', () => {
  it('turns an error without a public code into "Unexpected error." and keeps its path', () => {
    expect(maskError({ message: 'TypeError: x is undefined at <soap:Envelope>', path: ['citizen'], extensions: { stacktrace: ['…'] } })).toEqual({
      message: 'Unexpected error.',
      path: ['citizen'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps a legacy error\'s message, code and system, and drops every other extension', () => {
    expect(
      maskError({ message: 'cpr: not found', path: ['citizen'], extensions: { code: 'NOT_FOUND', system: 'cpr', serviceName: 'citizen', response: { body: '<xml/>' } } }),
    ).toEqual({ message: 'cpr: not found', path: ['citizen'], extensions: { code: 'NOT_FOUND', system: 'cpr', serviceName: 'citizen' } });
  });

  it('removes values graphql-js repeats in its messages', () => {
    expect(withoutEchoedValue('Variable "$cpr" got invalid value "010101-1234"; CPR must be written DDMMYY-SSSS')).toBe(
      'Variable "$cpr" got an invalid value.',
    );
    expect(withoutEchoedValue('Expected value of type "CPR!", found "0101011234"; CPR must be written DDMMYY-SSSS')).toBe(
      'Expected value of type "CPR!", found an invalid value.',
    );
    // graphql-js repeats the value after the semicolon too, and a value may itself hold "; ".
    const repeated = withoutEchoedValue('Variable "$x" got invalid value "a; 010160-1234"; Boolean cannot represent a non boolean value: "a; 010160-1234"');
    expect(repeated).toBe('Variable "$x" got an invalid value.');
    expect(withoutEchoedValue('Syntax Error: Unexpected character: U+0000.\n\nGraphQL request:1:23\n1 | { citizen(cpr: "010160-1234") { \u0000 } }')).toBe(
      'Syntax Error: Unexpected character: U+0000.',
    );
  });
});
