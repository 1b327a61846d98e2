// The explorer page's bootstrap (gateway/explorer/page.ts serves it): GraphiQL with the sample
// operations as tabs, asking as the role chosen in the bar above it. A file of its own, not an
// inline script, so the page's Content-Security-Policy can forbid inline script altogether.
// Plain browser JavaScript, run as it is: React, ReactDOM and GraphiQL are the UMD globals the
// page loads before it.
/* global React, ReactDOM, GraphiQL */
'use strict';

(function explorer() {
  /** @type {{ operations: { query: string, variables?: object, askedAs: string }[], identities: { role: string, label: string, token: string }[] }} */
  const data = JSON.parse(document.getElementById('explorer-data').textContent);
  // The page is served at the GraphQL URL itself: ask the path it came from.
  const endpoint = window.location.pathname;
  const PASTE = 'paste';
  const NOBODY = 'nobody';

  const roleSelect = document.getElementById('explorer-role');
  const tokenInput = document.getElementById('explorer-token');
  const option = (value, label) => {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = label;
    return element;
  };
  data.identities.forEach((identity, index) => roleSelect.append(option(String(index), identity.label)));
  roleSelect.append(option(PASTE, 'A token I paste'), option(NOBODY, 'Nobody (public data only)'));
  // Without demo sign-ins a pasted token is the only way to personal data: start there.
  roleSelect.value = data.identities.length > 0 ? '0' : PASTE;
  const showTokenField = () => {
    tokenInput.hidden = roleSelect.value !== PASTE;
  };
  roleSelect.addEventListener('change', showTokenField);
  showTokenField();

  const samples = document.getElementById('explorer-samples');
  samples.textContent = data.operations.length > 0
    ? `Samples: ${data.operations.map((o) => `${operationName(o.query)} (${o.askedAs === 'anyone' ? 'anyone' : `as ${o.askedAs}`})`).join(', ')}`
    : '';

  /** The bearer token of the role chosen now (read at every request: switching needs no reload). */
  function chosenToken() {
    if (roleSelect.value === NOBODY) return undefined;
    if (roleSelect.value === PASTE) return tokenInput.value.trim().replace(/^Bearer\s+/i, '') || undefined;
    return data.identities[Number(roleSelect.value)]?.token;
  }

  /** Posts as a front-end does: JSON (the gateway's CSRF prevention asks for it), the chosen token, no cookies. */
  async function fetcher(given, options) {
    const params = { ...given };
    // Pressed right after a tab switch, GraphiQL 3 can send the operation name of the tab it left,
    // which the gateway refuses (OPERATION_RESOLUTION_FAILURE): a document with one operation is
    // asked as that one, which is what the reader pressed run for.
    const names = operationNames(params.query || '');
    if (params.operationName && names.length === 1 && !names.includes(params.operationName)) params.operationName = names[0];
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const token = chosenToken();
    if (token) headers.authorization = `Bearer ${token}`;
    // Headers typed into GraphiQL's own editor (an x-purpose, say) go along, and win.
    Object.assign(headers, (options && options.headers) || {});
    const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params), credentials: 'omit' });
    return response.json();
  }

  const tabs = data.operations.map((o) => ({
    query: o.query,
    ...(o.variables ? { variables: JSON.stringify(o.variables, null, 2) } : {}),
  }));
  const container = document.getElementById('explorer-graphiql');
  container.textContent = '';
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher,
      ...(tabs.length > 0 ? { defaultTabs: tabs } : {}),
      defaultEditorToolsVisibility: true,
      // Headers typed in the editor may hold tokens: kept for this page only, not in storage.
      shouldPersistHeaders: false,
    }),
  );

  function operationNames(query) {
    return [...query.matchAll(/\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g)].map((m) => m[1]);
  }

  function operationName(query) {
    return operationNames(query)[0] || 'anonymous';
  }
})();
