/**
 * `npm run token -- <caseworker|citizen|auditor|service> [--municipality 0101] [--purpose TEXT]
 *   [--sub ID] [--scope "a b"] [--ttl SECONDS]`: a bearer token from the development identity
 * provider (.data/dev-idp, the one `npm start` trusts). A citizen's --sub is their CPR number.
 * Unless given: a caseworker works for 0101 under the purpose "demo: sagsbehandling", a citizen under
 * "demo: selvbetjening" (self-service: their own data); see `demoClaims`.
 */
import { demoClaims, devIdentityProvider } from '../gateway/auth/devIdentity';
import type { Role } from '../gateway/auth/authenticate';

const roles: Role[] = ['caseworker', 'citizen', 'auditor', 'service'];
const [role, ...rest] = process.argv.slice(2);
const option = (flag: string) => {
  const i = rest.indexOf(flag);
  return i >= 0 ? rest[i + 1] : undefined;
};
if (!role || !roles.includes(role as Role)) {
  console.error(`usage: npm run token -- <${roles.join('|')}> [--municipality 0101] [--purpose TEXT] [--sub ID] [--scope "a b"] [--ttl SECONDS]`);
  process.exit(2);
}
const municipality = option('--municipality');
if (municipality !== undefined && !/^\d{4}$/.test(municipality)) {
  console.error('--municipality must be a four-digit kommunekode, e.g. 0101');
  process.exit(2);
}
const ttl = option('--ttl');
if (ttl !== undefined && !(Number(ttl) > 0)) {
  console.error('--ttl must be a number of seconds');
  process.exit(2);
}
const provider = await devIdentityProvider('.data/dev-idp');
const claims = demoClaims(role as Role, {
  sub: option('--sub'),
  municipality,
  purpose: option('--purpose'),
  scope: option('--scope'),
  ...(ttl ? { ttlSeconds: Number(ttl) } : {}),
});
console.log(await provider.mint(claims));
