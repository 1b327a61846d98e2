/** Reads a JWK from a JSON file, saying which file and what is wrong when it cannot. */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';

export function readJwkFile(path: string, what: string): JWK {
  let jwk: unknown;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${what}: cannot read ${path} as JSON (make one with \`npm run keys\`)`);
  }
  if (jwk === null || typeof jwk !== 'object' || (jwk as JWK).kty !== 'OKP' || (jwk as JWK).crv !== 'Ed25519') {
    throw new Error(`${what}: ${path} is not an Ed25519 JWK`);
  }
  return jwk as JWK;
}
