/**
 * The explorer: GraphiQL on a page the gateway serves at its own GraphQL URL to a browser (a GET
 * asking for HTML), outside production only, with the sample operations as tabs and, under the
 * development identity provider, a choice of demo roles to ask as.
 *
 * Nothing on the page comes from anywhere but the gateway (assets.ts), and its Content-Security-Policy
 * says so to the browser: scripts, styles and requests from the page's own origin only, no inline
 * script. Fonts and icons GraphiQL embeds in its style sheet as data: URLs are the one exception;
 * they are part of that sheet, not fetched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeJson, type Route } from '../../runtime/httpServer';
import type { Role } from '../auth/authenticate';
import { loadExplorerAssets, type ExplorerAsset } from './assets';

/** An operation the page offers as a tab: a sample every front-end team starts from. */
export interface SampleOperation {
  query: string;
  variables?: Record<string, unknown>;
  /** Who may ask it and get an answer; shown beside the tabs, so a reader picks the role that fits. */
  askedAs: Role | 'anyone';
}

/**
 * A demo user the page offers to ask as: a token from the development identity provider, minted
 * each time the page is served.
 */
export interface DemoSignIn {
  role: Role;
  /** What the role switcher says, e.g. "Caseworker, København (0101)". */
  label: string;
  mint(): Promise<string>;
}

export interface ExplorerSettings {
  operations: readonly SampleOperation[];
  /**
   * Offered to browsers on this machine only (see `mayHandOutTokens`); absent when the gateway
   * does not trust the development identity provider, and the page then asks for a token to paste.
   */
  demoSignIns?: readonly DemoSignIn[];
}

export interface Explorer {
  /** The page, for a browser's GET of the GraphQL path. */
  page: Route;
  /** Its files, by path. */
  routes: Record<string, Route>;
}

const YEAR_SECONDS = 31_536_000;

/**
 * Everything the page may load or connect to: its own origin. No inline script (the bootstrap is
 * a file), no framing (clickjacking a page that holds tokens), no forms posting elsewhere.
 */
export const EXPLORER_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Reads the files now: a gateway whose explorer cannot load fails at start, saying which file is missing. */
export function createExplorer(settings: ExplorerSettings): Explorer {
  const assets = loadExplorerAssets();
  const routes = Object.fromEntries([...assets.scripts, ...assets.styles].map((asset) => [asset.path, serveAsset(asset)]));
  const page: Route = async (req, res) => {
    const signIns = settings.demoSignIns && mayHandOutTokens(req) ? settings.demoSignIns : [];
    const identities = await Promise.all(signIns.map(async (s) => ({ role: s.role, label: s.label, token: await s.mint() })));
    const html = pageHtml(assets.scripts, assets.styles, { operations: settings.operations, identities });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': EXPLORER_CONTENT_SECURITY_POLICY,
      // The page may carry tokens: no cache keeps it, no link out tells another site where it was.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    res.end(html);
  };
  return { page, routes };
}

/**
 * What a browser opening the GraphQL URL of a production gateway gets: the answer to any path the
 * gateway does not serve. No page, so nothing of a page (scripts, a schema browser) is there to attack.
 */
export const NO_EXPLORER: Route = (_req, res) => writeJson(res, 404, { errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });

/**
 * Demo tokens go only to a browser on this machine. Why handing them out at all is safe: the
 * gateway offers sign-ins only when it trusts the development identity provider, which only the
 * local stack (npm start, tests) uses, over simulators and their synthetic world, never in
 * production; whoever can open a page on this machine can also read the provider's key in
 * .data/dev-idp and the tokens npm start prints. A gateway listening beyond loopback (HOST=0.0.0.0)
 * still gives its neighbours on the network none: they get the page with a field to paste a token.
 * The page must also have been asked for by a loopback name: a site of someone else's whose name
 * is made to resolve to 127.0.0.1 (DNS rebinding) would otherwise be same-origin with the page and
 * could read the tokens out of it. (Any other site cannot read it: no CORS header is sent.)
 */
function mayHandOutTokens(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const fromHere = address === '::1' || /^(::ffff:)?127\./.test(address);
  const hostname = /^(\[[^\]]*\]|[^:]*)/.exec(req.headers.host ?? '')?.[1]?.toLowerCase() ?? '';
  return fromHere && (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname));
}

function serveAsset(asset: ExplorerAsset): Route {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      // The name carries the content's hash (assets.ts): a changed file is another URL.
      'cache-control': `public, max-age=${YEAR_SECONDS}, immutable`,
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
}

interface PageData {
  operations: readonly SampleOperation[];
  identities: readonly { role: Role; label: string; token: string }[];
}

function pageHtml(scripts: readonly ExplorerAsset[], styles: readonly ExplorerAsset[], data: PageData): string {
  // A data block, not a script: the CSP lets no inline script run, and the browser runs none of
  // this. `<` escaped, so no text in it can close the element.
  const json = JSON.stringify(data).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kommune-graph explorer</title>
<link rel="icon" href="data:,">
${styles.map((s) => `<link rel="stylesheet" href="${s.path}">`).join('\n')}
<script type="application/json" id="explorer-data">${json}</script>
${scripts.map((s) => `<script defer src="${s.path}"></script>`).join('\n')}
</head>
<body>
<header class="explorer-bar">
  <label for="explorer-role">Ask as</label>
  <select id="explorer-role"></select>
  <input id="explorer-token" type="text" autocomplete="off" spellcheck="false" placeholder="Paste a bearer token (without &quot;Bearer&quot;)" hidden>
  <span id="explorer-samples" class="explorer-samples"></span>
</header>
<main id="explorer-graphiql" class="explorer-graphiql">Loading the explorer…</main>
</body>
</html>
`;
}
