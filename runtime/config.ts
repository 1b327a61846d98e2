/**
 * Configuration parsing shared by the gateway and the subgraphs: one zod schema each, every
 * problem listed under CONFIG_INVALID, the result frozen.
 */
import type { z } from 'zod';

export class ConfigInvalid extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(
    what: string,
    readonly issues: string[],
  ) {
    super(`CONFIG_INVALID: ${what} configuration is invalid:\n${issues.map((i) => `- ${i}`).join('\n')}`);
    this.name = 'ConfigInvalid';
  }
}

/** `input` parsed by `schema` and deep-frozen; throws ConfigInvalid naming every bad entry. */
export function parseConfig<S extends z.ZodType>(what: string, schema: S, input: unknown): Readonly<z.output<S>> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigInvalid(what, result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
