import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * Estimates the *requested* cost of a document before it is sent, so the connector can take that many points from
 * the connection's limiter first. Follows Shopify's documented rules (shopify.dev, "GraphQL Admin API rate limits"
 * → cost calculation) without needing the schema:
 * - a scalar field costs 0, an object field 1 plus what it selects;
 * - a connection (a field with `first`/`last`) costs 2 plus `first` × (1 + the cost of one node);
 *   `pageInfo` and `edges` are free;
 * - `nodes(ids:)` costs 1 per id asked for;
 * - every root mutation field costs 10.
 * The real requested cost comes back in `extensions.cost`; the client logs a warning when the estimate was short.
 */
const MUTATION_COST = 10;
const FREE = new Set(['pageInfo', 'edges']);

const parsed = new Map<string, DocumentNode>();

/** The parsed document; documents are module constants, so the cache holds a fixed handful. */
export function parsedDocument(text: string): DocumentNode {
  let doc = parsed.get(text);
  if (!doc) {
    doc = parse(text);
    parsed.set(text, doc);
  }
  return doc;
}

export function estimateCost(text: string, variables: Record<string, unknown> = {}): number {
  const doc = parsedDocument(text);
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 1;
  if (op.operation === 'mutation') return MUTATION_COST * op.selectionSet.selections.length;

  const valueOf = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) return variables[node.name.value];
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.LIST) return node.values;
    return undefined;
  };
  const cost = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) total += cost(s.selectionSet);
      else if (s.kind === Kind.FRAGMENT_SPREAD) total += cost(fragments.get(s.name.value)?.selectionSet);
      else if (s.selectionSet) {
        const args = new Map((s.arguments ?? []).map((a) => [a.name.value, valueOf(a.value)]));
        const first = Number(args.get('first') ?? args.get('last') ?? NaN);
        const ids = args.get('ids');
        // `nodes { … }` / `edges { node { … } }` inside count 1 per item themselves.
        if (Number.isFinite(first)) total += 2 + first * cost(s.selectionSet);
        else if (Array.isArray(ids)) total += ids.length * (1 + cost(s.selectionSet));
        else if (FREE.has(s.name.value)) total += cost(s.selectionSet);
        else total += 1 + cost(s.selectionSet);
      }
    }
    return total;
  };
  return Math.max(1, cost(op.selectionSet));
}
