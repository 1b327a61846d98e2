/** Posts GraphQL operations over real HTTP, as a front-end would. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
  text: string;
}

export async function postGraphQL<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResponse<T>['body'], text };
}

/** No simulated latency: end-to-end tests measure correctness, benchmarks measure time. */
export const noLatency = { cpr: 0, 'case-index': 0, esdh: 0, bbr: 0, dar: 0, kle: 0, nemkonto: 0 } as const;
