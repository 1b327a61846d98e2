/** Test helper: what a function refuses with BAD_USER_INPUT, for tests of argument readers. */
import { GraphQLError } from 'graphql';
import { expect } from 'vitest';

/** The BAD_USER_INPUT message `read` throws, or undefined when it does not throw. */
export function refusal(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions['code']).toBe('BAD_USER_INPUT');
    return (error as GraphQLError).message;
  }
}
