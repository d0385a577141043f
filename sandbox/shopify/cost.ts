import {
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Calculated query cost, following Shopify's documented rules approximately
 * (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, "Cost calculation"):
 * - scalar and enum fields cost 0, object fields cost 1;
 * - a connection (a type named `…Connection`) costs 2 plus, per requested item (`first`/`last`), the cost of what
 *   is selected on each node (`edges.node` or `nodes`, whichever is dearer); `edges`, `node`, `pageInfo` are free;
 * - a mutation field costs 10, whatever its payload selects;
 * - fragments and inline fragments are summed rather than maxed per possible type (slightly over-estimates
 *   interface/union selections, never under-estimates).
 * The requested cost uses the page sizes asked for; the actual cost walks the response and counts the items
 * returned, so a short page is refunded as on Shopify.
 */
export const MUTATION_COST = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  return operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
}

/** Cost of an operation; pass `data` (the execution result) to get the actual cost instead of the requested one. */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data?: Record<string, unknown> | null,
): number {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  const walk: Walk = { schema, fragments, variables };
  if (operation.operation === 'mutation') {
    const fields = collect(walk, operation.selectionSet);
    return fields.filter((f) => !f.name.value.startsWith('__')).filter((f) => data === undefined || data?.[key(f)] !== undefined).length * MUTATION_COST;
  }
  const root = schema.getQueryType()!;
  return selectionCost(walk, operation.selectionSet, root, data);
}

function key(f: FieldNode): string {
  return f.alias?.value ?? f.name.value;
}

/** Fields of a selection set with fragments flattened in. */
function collect(walk: Walk, set: SelectionSetNode): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === 'Field') out.push(s);
    else if (s.kind === 'InlineFragment') out.push(...collect(walk, s.selectionSet));
    else {
      const frag = walk.fragments.get(s.name.value);
      if (frag) out.push(...collect(walk, frag.selectionSet));
    }
  }
  return out;
}

function selectionCost(walk: Walk, set: SelectionSetNode, parent: GraphQLCompositeType, data: unknown): number {
  let total = 0;
  const fieldsOf = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
  for (const field of collect(walk, set)) {
    const def = fieldsOf[field.name.value] ?? findOnPossibleTypes(walk, parent, field.name.value);
    if (!def || !field.selectionSet) continue;
    const type = getNamedType(def.type);
    if (!isCompositeType(type)) continue;
    const value = data === undefined ? undefined : (data as Record<string, unknown> | null)?.[key(field)];
    if (data !== undefined && (value === null || value === undefined)) continue;
    if (type.name.endsWith('Connection') && isObjectType(type)) {
      total += connectionCost(walk, field, type, value);
    } else if (Array.isArray(value)) {
      total += 1 + Math.max(0, ...value.map((v) => selectionCost(walk, field.selectionSet!, type, v)));
    } else {
      total += 1 + selectionCost(walk, field.selectionSet, type, value);
    }
  }
  return total;
}

function connectionCost(walk: Walk, field: FieldNode, type: GraphQLCompositeType & { getFields(): Record<string, { type: unknown }> }, value: unknown): number {
  const connFields = type.getFields();
  const nodeType = getNamedType((connFields.nodes ?? connFields.edges)!.type as never) as unknown as GraphQLCompositeType;
  let perItem = 0;
  let items = 0;
  for (const sub of collect(walk, field.selectionSet!)) {
    const subValue = value === undefined ? undefined : (value as Record<string, unknown>)[key(sub)];
    if (sub.name.value === 'nodes' && sub.selectionSet) {
      const list = Array.isArray(subValue) ? subValue : [];
      perItem = Math.max(perItem, 1 + (value === undefined ? selectionCost(walk, sub.selectionSet, nodeType, undefined) : Math.max(0, ...list.map((n) => selectionCost(walk, sub.selectionSet!, nodeType, n)))));
      items = Math.max(items, list.length);
    } else if (sub.name.value === 'edges' && sub.selectionSet) {
      const list = Array.isArray(subValue) ? (subValue as Array<Record<string, unknown>>) : [];
      items = Math.max(items, list.length);
      for (const e of collect(walk, sub.selectionSet)) {
        if (e.name.value !== 'node' || !e.selectionSet) continue;
        const edgeType = walk.schema.getType(`${type.name.replace(/Connection$/, '')}Edge`);
        const edgeNode = isObjectType(edgeType) ? edgeType.getFields().node : undefined;
        const edgeNodeType = edgeNode ? (getNamedType(edgeNode.type) as GraphQLCompositeType) : nodeType;
        const nodeCost = value === undefined ? selectionCost(walk, e.selectionSet, edgeNodeType, undefined) : Math.max(0, ...list.map((edge) => selectionCost(walk, e.selectionSet!, edgeNodeType, edge?.[key(e)])));
        perItem = Math.max(perItem, 1 + nodeCost);
      }
    }
  }
  const requested = pageSize(walk, field);
  return 2 + (value === undefined ? requested : items) * perItem;
}

function pageSize(walk: Walk, field: FieldNode): number {
  let n = 0;
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    const v = valueFromAST(arg.value, walk.schema.getType('Int') as never, walk.variables);
    if (typeof v === 'number') n = Math.max(n, v);
  }
  return n;
}

function findOnPossibleTypes(walk: Walk, parent: GraphQLCompositeType, name: string) {
  if (isObjectType(parent)) return undefined;
  for (const t of walk.schema.getPossibleTypes(parent as never)) {
    const f = t.getFields()[name];
    if (f) return f;
  }
  return undefined;
}
