/**
 * The four subgraphs of the community gateway benchmark's shape (accounts, inventory, products,
 * reviews; @see the-guild-org/gateways-benchmark, federation-v1/subgraphs), written here for
 * @apollo/subgraph with Federation 2 links and our own deterministic data: no randomness, no
 * latency, no I/O, so what a gateway costs is all that differs between runs.
 *
 * The graph: `users → reviews → product → reviews → author → reviews → product` and
 * `topProducts → reviews → author → reviews → product`, with `Product.shippingEstimate`
 * `@requires(price weight)` from inventory and `Review.author` `@provides(username)`, so a heavy
 * query is planned into a dozen fetches across all four.
 */
import { parse, type DocumentNode } from 'graphql';

export const SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  authorId: string;
  upc: string;
}

const GIVEN = ['Ada', 'Bo', 'Carl', 'Dorte', 'Emil', 'Freja'];
const FAMILY = ['Andersen', 'Berg', 'Christensen', 'Dahl', 'Eriksen', 'Frost'];
const USERS: readonly User[] = GIVEN.map((given, i) => ({
  id: String(i + 1),
  name: `${given} ${FAMILY[i]}`,
  username: given.toLowerCase(),
  birthday: 946_684_800 + i * 86_400 * 365, // seconds since 1970, a year apart from 2000-01-01
}));

const PRODUCT_NAMES = ['Table', 'Couch', 'Glass', 'Chair', 'TV', 'Lamp', 'Grill', 'Fridge', 'Sofa'];
const PRODUCTS: readonly Product[] = PRODUCT_NAMES.map((name, i) => ({
  upc: String(i + 1),
  name,
  price: 100 + ((i * 373) % 1_900), // some above 1000 (free shipping), some below
  weight: 20 + ((i * 157) % 1_000),
}));

/** In stock: every product whose upc is not a multiple of 3. */
const IN_STOCK = new Set(PRODUCTS.filter((p) => Number(p.upc) % 3 !== 0).map((p) => p.upc));

const SENTENCE = 'Solid, as described, and delivered on the day promised; would buy again. ';
/**
 * Twelve reviews: each user writes two; products are spread over all nine (some get two), so every
 * list in the heavy query is non-empty. Bodies are 1–3 sentences long.
 */
const REVIEWS: readonly Review[] = Array.from({ length: 12 }, (_, k) => {
  const i = k + 1;
  return { id: String(i), body: `Review ${i}. ${SENTENCE.repeat((i % 3) + 1).trim()}`, authorId: String(((i - 1) % 6) + 1), upc: String(((i * 5) % 9) + 1) };
});

const userById = new Map(USERS.map((u) => [u.id, u]));
const productByUpc = new Map(PRODUCTS.map((p) => [p.upc, p]));
const reviewById = new Map(REVIEWS.map((r) => [r.id, r]));
const reviewsByAuthor = groupBy(REVIEWS, (r) => r.authorId);
const reviewsByUpc = groupBy(REVIEWS, (r) => r.upc);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const LINK = (imports: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [${imports.map((i) => `"${i}"`).join(', ')}])`;

/** One subgraph: its SDL and resolvers, as @apollo/subgraph's buildSubgraphSchema takes them. */
export interface SubgraphDefinition {
  typeDefs: DocumentNode;
  resolvers: Record<string, Record<string, unknown>>;
}

type Ref<K extends string> = { [key in K]: string };

export const SUBGRAPHS: Readonly<Record<SubgraphName, SubgraphDefinition>> = {
  accounts: {
    typeDefs: parse(`
      ${LINK(['@key', '@shareable'])}
      type Query {
        me: User
        user(id: ID!): User
        users: [User]
      }
      type User @key(fields: "id") {
        id: ID!
        name: String
        username: String @shareable
        birthday: Int
      }
    `),
    resolvers: {
      Query: {
        me: () => USERS[0],
        user: (_: unknown, { id }: { id: string }) => userById.get(id) ?? null,
        users: () => USERS,
      },
      User: { __resolveReference: (ref: Ref<'id'>) => userById.get(ref.id) ?? null },
    },
  },
  inventory: {
    typeDefs: parse(`
      ${LINK(['@key', '@external', '@requires'])}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }
    `),
    resolvers: {
      Product: {
        __resolveReference: (ref: Ref<'upc'> & { price?: number; weight?: number }) => ({ ...ref, inStock: IN_STOCK.has(ref.upc) }),
        // Free above 1000, else half the weight (the benchmark's rule).
        shippingEstimate: (p: { price?: number; weight?: number }) => (p.price === undefined ? null : p.price > 1000 ? 0 : p.weight === undefined ? null : Math.round(p.weight / 2)),
      },
    },
  },
  products: {
    typeDefs: parse(`
      ${LINK(['@key'])}
      type Query {
        topProducts(first: Int = 5): [Product]
      }
      type Product @key(fields: "upc") {
        upc: String!
        name: String
        price: Int
        weight: Int
      }
    `),
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
      Product: { __resolveReference: (ref: Ref<'upc'>) => productByUpc.get(ref.upc) ?? null },
    },
  },
  reviews: {
    typeDefs: parse(`
      ${LINK(['@key', '@external', '@provides'])}
      type Review @key(fields: "id") {
        id: ID!
        body: String
        author: User @provides(fields: "username")
        product: Product
      }
      type User @key(fields: "id") {
        id: ID!
        username: String @external
        reviews: [Review]
      }
      type Product @key(fields: "upc") {
        upc: String!
        reviews: [Review]
      }
    `),
    resolvers: {
      Review: {
        __resolveReference: (ref: Ref<'id'>) => reviewById.get(ref.id) ?? null,
        author: (r: Review) => ({ id: r.authorId, username: userById.get(r.authorId)?.username }),
        product: (r: Review) => ({ upc: r.upc }),
      },
      User: {
        __resolveReference: (ref: Ref<'id'>) => ({ id: ref.id }),
        reviews: (u: Ref<'id'>) => reviewsByAuthor.get(u.id) ?? [],
      },
      Product: {
        __resolveReference: (ref: Ref<'upc'>) => ({ upc: ref.upc }),
        reviews: (p: Ref<'upc'>) => reviewsByUpc.get(p.upc) ?? [],
      },
    },
  },
};
