/**
 * `npm run keys -- DIR`: writes a new Ed25519 key pair for gateway-to-subgraph tokens:
 * DIR/internal-token.private.jwk.json (the gateway's: INTERNAL_TOKEN_PRIVATE_JWK) and
 * DIR/internal-token.public.jwk.json (every subgraph's: INTERNAL_TOKEN_PUBLIC_JWK).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateInternalTokenKeys } from '../runtime/internalToken';

const dir = process.argv[2] ?? '.';
const { privateJwk, publicJwk } = await generateInternalTokenKeys();
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'internal-token.private.jwk.json'), JSON.stringify(privateJwk), { mode: 0o600 });
writeFileSync(join(dir, 'internal-token.public.jwk.json'), JSON.stringify(publicJwk));
console.log(`wrote ${join(dir, 'internal-token.private.jwk.json')} (gateway only) and ${join(dir, 'internal-token.public.jwk.json')} (subgraphs)`);
