/**
 * The explorer page over plain HTTP, in each mode a gateway runs in: production serves none (a
 * browser opening the GraphQL URL gets the 404 of any unknown path, and none of the explorer's
 * files exist), and no mode ever serves Apollo's own landing page (Apollo Sandbox, from Apollo's
 * CDN). Outside production the page loads only the gateway's own files, under a strict CSP, with
 * demo tokens only when the gateway trusts the development identity provider, and then only for a
 * browser on this machine. (The page in a browser: test/browser/explorer.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIdentityProvider, type DevIdentityProvider } from '../../gateway/auth/devIdentity';
import { parseGatewayConfig, type GatewayConfigInput } from '../../gateway/config';
import { ExplorerAssetMissing, loadExplorerAssets } from '../../gateway/explorer/assets';
import { EXPLORER_CONTENT_SECURITY_POLICY } from '../../gateway/explorer/page';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { CITIZEN_OVERVIEW_QUERY } from '../../simulators/data/samples';

/** What a browser sends when it opens a URL. */
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
/** Whatever the token is, the test finds it in the page by this. */
const DEMO_TOKEN = 'demo-token-minted-for-this-page';
/** Marks of Apollo's landing pages (Sandbox, the production default): what must never be served. */
const APOLLO_LANDING = /apollographql\.com|embeddable-sandbox|apollo-server-landing-page|EmbeddedSandbox/i;

let dir: string;
let identity: DevIdentityProvider;
const gateways: RunningGateway[] = [];
let production: RunningGateway;
let trustingDevIdp: RunningGateway;
let otherIdp: RunningGateway;

async function gatewayWith(input: Partial<GatewayConfigInput>): Promise<RunningGateway> {
  const keys = await generateInternalTokenKeys();
  const gateway = await startGateway(parseGatewayConfig({ port: 0, ...input }), {
    internalTokenKey: keys.privateJwk,
    explorer: {
      operations: [{ query: CITIZEN_OVERVIEW_QUERY, variables: { cpr: '010101-1234' }, askedAs: 'caseworker' }],
      demoSignIns: [{ role: 'caseworker', label: 'Caseworker, København (0101)', mint: async () => DEMO_TOKEN }],
    },
  });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'explorer-page-'));
  identity = await devIdentityProvider(join(dir, 'idp'));
  const dev = { issuer: identity.issuer, audience: identity.audience, jwksPath: identity.jwksPath };
  [production, trustingDevIdp, otherIdp] = await Promise.all([
    gatewayWith({ production: true, auth: dev, audit: { dir: join(dir, 'audit') } }),
    // Beyond loopback too, so a neighbour on the network can be played below.
    gatewayWith({ host: '0.0.0.0', auth: dev }),
    gatewayWith({ auth: { issuer: 'https://login.kommune.example', audience: 'kommune-graph', jwksPath: identity.jwksPath } }),
  ]);
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (url: string, headers: Record<string, string> = BROWSER) => fetch(url, { headers });
/** The explorer's files a development gateway's page names. */
const assetPaths = (html: string) => [...html.matchAll(/(?:src|href)="(\/explorer\/[^"]+)"/g)].map((m) => m[1]!);
const pageData = (html: string) =>
  JSON.parse(/<script type="application\/json" id="explorer-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as { identities: { token: string }[]; operations: unknown[] };

describe('in production', () => {
  it('serves no page at the GraphQL URL: a browser gets the 404 of any unknown path, and no HTML', async () => {
    const response = await open(production.url);
    const text = await response.text();
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
    expect(text).not.toMatch(APOLLO_LANDING);
  });

  it('serves none of the explorer\'s files', async () => {
    const paths = assetPaths(await (await open(otherIdp.url)).text());
    expect(paths).toHaveLength(6);
    for (const path of paths) expect((await open(new URL(path, production.url).href, {})).status).toBe(404);
  });

});

describe('in any mode', () => {
  it('never answers with Apollo\'s landing page, whatever the browser sends', async () => {
    for (const gateway of [production, otherIdp, trustingDevIdp]) {
      for (const headers of [BROWSER, { accept: 'text/html' }, { accept: 'text/html', 'apollo-require-preflight': 'true' }]) {
        for (const url of [gateway.url, `${gateway.url}?query=%7B__typename%7D`]) {
          const response = await open(url, headers);
          expect(await response.text()).not.toMatch(APOLLO_LANDING);
          // A GET naming an operation is Apollo's to answer: never with a page of any kind.
          if (url.includes('?query=')) expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
        }
      }
    }
  });
});

describe('outside production', () => {
  it('serves the explorer to a browser at the GraphQL URL, under a CSP of its own origin only', async () => {
    const response = await open(otherIdp.url);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(EXPLORER_CONTENT_SECURITY_POLICY);
    expect(EXPLORER_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(EXPLORER_CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).not.toMatch(APOLLO_LANDING);
    // Every file it loads is the gateway's; no script is inline (the JSON data block runs nothing).
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((ref) => !ref!.startsWith('/explorer/') && ref !== 'data:,')).toEqual([]);
    expect([...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]!.trim())).toEqual(['type="application/json" id="explorer-data"']);
    expect(pageData(html).operations).toHaveLength(1);
  });

  it('serves each file under a name of its content, cached for a year', async () => {
    const paths = assetPaths(await (await open(otherIdp.url)).text());
    expect(paths.map((p) => p.replace(/\.[0-9a-f]{12}\./, '.*.'))).toEqual([
      '/explorer/graphiql.*.css', '/explorer/explorer.*.css', '/explorer/react.*.js', '/explorer/react-dom.*.js', '/explorer/graphiql.*.js', '/explorer/explorer.*.js',
    ]);
    for (const path of paths) {
      const response = await open(new URL(path, otherIdp.url).href, {});
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-type')).toMatch(path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      const body = await response.text();
      expect(body.length).toBeGreaterThan(100);
      // React's production builds, not the development ones.
      if (path.includes('/react')) expect(body).not.toMatch(/development/i);
    }
  });

  it('gives a GraphQL GET to Apollo, which answers it as GraphQL, not with a page', async () => {
    const response = await open(`${otherIdp.url}?query=%7B__typename%7D`, { accept: 'application/json', 'apollo-require-preflight': 'true' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('offers no demo sign-in when the gateway trusts another identity provider: a token is pasted', async () => {
    const html = await (await open(otherIdp.url)).text();
    expect(pageData(html).identities).toEqual([]);
    expect(html).not.toContain(DEMO_TOKEN);
  });

  it('offers the demo sign-ins, each minted for this page, when it trusts the development identity provider', async () => {
    const local = trustingDevIdp.url.replace('127.0.0.1', 'localhost');
    const data = pageData(await (await open(local)).text());
    expect(data.identities).toEqual([{ role: 'caseworker', label: 'Caseworker, København (0101)', token: DEMO_TOKEN }]);
  });

  it('gives no tokens to a page asked for under another name that resolves here (DNS rebinding)', async () => {
    const { port } = new URL(trustingDevIdp.url);
    const html = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/graphql', headers: { ...BROWSER, host: `rebound.example:${port}` } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    expect(pageData(html).identities).toEqual([]);
    expect(html).not.toContain(DEMO_TOKEN);
    // The same from 127.0.0.1 by its number does get them.
    expect(pageData(await (await open(trustingDevIdp.url)).text()).identities).toHaveLength(1);
  });

  it.runIf(outwardAddress())('gives a browser elsewhere on the network the page without tokens', async () => {
    const url = new URL(trustingDevIdp.url);
    url.hostname = outwardAddress()!;
    const html = await (await open(url.href)).text();
    expect(pageData(html).identities).toEqual([]);
    expect(html).not.toContain(DEMO_TOKEN);
  });
});

describe('its files', () => {
  it('are read at start, and one missing is said by package and file', () => {
    // Resolved from a folder with no node_modules above it that holds React.
    const nowhere = join(dir, 'nowhere', 'gateway.js');
    expect(() => loadExplorerAssets('/explorer', nowhere)).toThrow(ExplorerAssetMissing);
    expect(() => loadExplorerAssets('/explorer', nowhere)).toThrow(/^the explorer needs umd\/react\.production\.min\.js of the npm package react \(the package is not installed\); run npm ci/);
  });
});

/** An IPv4 address of this machine beyond loopback, when it has one. */
function outwardAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}
