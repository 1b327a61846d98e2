/**
 * The workloads of issue 14, each one request body sent on every request of its run.
 *
 * (a) the community benchmark's heavy nested query, identical on every request (so a gateway
 *     that merges identical in-flight subgraph requests may merge them);
 * (b) a light query: one root field of one subgraph;
 * (c) (a) again with in-flight de-duplication turned off on every gateway that has it: the cost
 *     of executing the plan, with nothing shared between requests;
 * (d) the citizen overview over the project's simulators with their default latencies, distinct
 *     citizens, caseworker tokens and the access trail on: ours alone (OVERVIEW below).
 */

const FRAGMENTS = `
fragment User on User {
  id
  username
  name
}

fragment Review on Review {
  id
  body
}

fragment Product on Product {
  inStock
  name
  price
  shippingEstimate
  upc
  weight
}`;

/** The community benchmark's query (the-guild-org/gateways-benchmark, benchmark.k6.js). */
export const HEAVY_QUERY = `${FRAGMENTS}

query TestQuery {
  __typename
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author {
        ...User
        reviews {
          ...Review
          product {
            ...Product
          }
        }
      }
    }
  }
}`;

/** One fetch from one subgraph. */
export const LIGHT_QUERY = `query LightQuery {
  topProducts(first: 5) {
    upc
    name
    price
  }
}`;

export type WorkloadId = 'a' | 'b' | 'c' | 'd';

export interface Workload {
  id: WorkloadId;
  title: string;
  query: string;
  operationName: string;
  /** Run with the gateway's in-flight de-duplication of subgraph requests turned off. */
  dedupOff: boolean;
}

export const WORKLOADS: Readonly<Record<Exclude<WorkloadId, 'd'>, Workload>> = {
  a: { id: 'a', title: 'heavy nested query', query: HEAVY_QUERY, operationName: 'TestQuery', dedupOff: false },
  b: { id: 'b', title: 'light query', query: LIGHT_QUERY, operationName: 'LightQuery', dedupOff: false },
  c: { id: 'c', title: 'heavy query, in-flight de-duplication off', query: HEAVY_QUERY, operationName: 'TestQuery', dedupOff: true },
};

/**
 * Workload (d): ours alone, since our subgraphs take only calls carrying the gateway's signed
 * internal token, which no peer sends. It runs `npm run bench` (bench/overview.ts: the whole house
 * in one process, simulators at their default latencies) with authentication and the embedded
 * access trail on, and reads its figures from the JSON it writes.
 */
export const OVERVIEW = { id: 'd', title: 'citizen overview over the simulators (ours alone: tokens, trail, distinct citizens)' } as const;

/** Workloads asked for and not yet built: none. */
export const PLANNED: Readonly<Record<string, string>> = {};
