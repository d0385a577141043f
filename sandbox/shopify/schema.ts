import { buildSchema, GraphQLError, GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { readSpec } from '../common/specs.ts';

/** The only Admin API version whose schema the simulator holds (shared/specs/shopify/admin-graphql-2026-04.graphql). */
export const SCHEMA_VERSION = '2026-04';

let cached: GraphQLSchema | undefined;

/**
 * Builds the real 2026-04 Admin schema once per process (3.4 MB of SDL, ~1 s) and caches it: every simulator
 * instance validates and executes against this same object.
 */
export function adminSchema(): GraphQLSchema {
  if (cached) return cached;
  const schema = buildSchema(readSpec('shopify/admin-graphql-2026-04.graphql'));
  patchMoneyScalar(schema);
  cached = schema;
  return schema;
}

/**
 * SDL-built custom scalars accept anything. `Money` is the one connectors send most (prices), and Shopify rejects
 * a non-decimal at variable coercion ("invalid money 'abc'"), so the simulator does too.
 */
function patchMoneyScalar(schema: GraphQLSchema): void {
  const money = schema.getType('Money') as GraphQLScalarType | undefined;
  if (!money) return;
  const check = (value: unknown): string => {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text.trim())) {
      throw new GraphQLError(`invalid money '${String(value)}'`);
    }
    return text.trim();
  };
  money.parseValue = check;
  money.parseLiteral = (ast) => {
    if (ast.kind === 'StringValue' || ast.kind === 'IntValue' || ast.kind === 'FloatValue') return check(ast.value);
    throw new GraphQLError(`invalid money`);
  };
}
