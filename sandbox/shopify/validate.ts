import {
  GraphQLError,
  isEnumType,
  parse,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { ShopifyGraphqlError } from './errors.ts';

/**
 * Parses and validates a document against the real schema with graphql-js, then rewrites each error into the form
 * Shopify (graphql-ruby) answers with: its message wording, `path` starting at the operation ("query", "mutation
 * Name"), and `extensions` carrying the graphql-ruby code and names. Rules Shopify words differently and that are
 * not mapped here keep graphql-js's message (still rejected, just not word-for-word).
 */
export type ParseResult = { ok: true; document: DocumentNode } | { ok: false; errors: ShopifyGraphqlError[] };

export function parseDocument(source: string): ParseResult {
  try {
    return { ok: true, document: parse(source) };
  } catch (err) {
    const e = err as GraphQLError;
    const loc = e.locations?.[0] ?? { line: 1, column: 1 };
    // graphql-ruby: `syntax error, unexpected LPAREN ("(") at [2, 5]`; graphql-js names the token differently, so
    // the detail is graphql-js's but the frame and the locations are Shopify's.
    const detail = e.message.replace(/^Syntax Error: /, '');
    return {
      ok: false,
      errors: [{ message: `syntax error, ${detail} at [${loc.line}, ${loc.column}]`, locations: [loc] }],
    };
  }
}

export function validateDocument(schema: GraphQLSchema, document: DocumentNode): ShopifyGraphqlError[] {
  const errors = validate(schema, document);
  if (errors.length === 0) return [];
  const paths = nodePaths(document);
  return mergeMissingArguments(errors.map((e) => toShopify(e, paths)));
}

/** Path of every AST node, the way graphql-ruby reports it: operation, then field response keys / argument names. */
function nodePaths(document: DocumentNode): Map<ASTNode, Array<string>> {
  const stack: string[] = [];
  const paths = new Map<ASTNode, string[]>();
  const enter = (node: ASTNode, name: string) => {
    stack.push(name);
    paths.set(node, [...stack]);
  };
  const leave = () => void stack.pop();
  visit(document, {
    OperationDefinition: {
      enter: (n) => enter(n, n.operation + (n.name ? ` ${n.name.value}` : '')),
      leave,
    },
    FragmentDefinition: { enter: (n) => enter(n, `fragment ${n.name.value}`), leave },
    InlineFragment: { enter: (n) => enter(n, `... on ${n.typeCondition?.name.value ?? ''}`), leave },
    Field: { enter: (n) => enter(n, n.alias?.value ?? n.name.value), leave },
    Argument: { enter: (n) => enter(n, n.name.value), leave },
    ObjectField: { enter: (n) => enter(n, n.name.value), leave },
    Directive: { enter: (n) => enter(n, `@${n.name.value}`), leave },
    VariableDefinition: { enter: (n) => enter(n, `$${n.variable.name.value}`), leave },
  });
  return paths;
}

function toShopify(e: GraphQLError, paths: Map<ASTNode, string[]>): ShopifyGraphqlError {
  const node = e.nodes?.[0];
  const base: ShopifyGraphqlError = {
    message: e.message,
    ...(e.locations ? { locations: e.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
    ...(node && paths.has(node) ? { path: paths.get(node)! } : {}),
  };
  const m = e.message;
  let r: RegExpMatchArray | null;

  if ((r = m.match(/^Cannot query field "(.+?)" on type "(.+?)"\./))) {
    return { ...base, message: `Field '${r[1]}' doesn't exist on type '${r[2]}'`, extensions: { code: 'undefinedField', typeName: r[2], fieldName: r[1] } };
  }
  if ((r = m.match(/^Unknown argument "(.+?)" on field "(.+?)\.(.+?)"\./))) {
    return { ...base, message: `Field '${r[3]}' doesn't accept argument '${r[1]}'`, extensions: { code: 'argumentNotAccepted', name: r[3], typeName: 'Field', argumentName: r[1] } };
  }
  if ((r = m.match(/^Unknown argument "(.+?)" on directive "@(.+?)"\./))) {
    return { ...base, message: `Directive '${r[2]}' doesn't accept argument '${r[1]}'`, extensions: { code: 'argumentNotAccepted', name: r[2], typeName: 'Directive', argumentName: r[1] } };
  }
  if ((r = m.match(/^Field "(.+?)" argument "(.+?)" of type ".+?" is required, but it was not provided\./))) {
    return { ...base, message: `Field '${r[1]}' is missing required arguments: ${r[2]}`, extensions: { code: 'missingRequiredArguments', className: 'Field', name: r[1], arguments: r[2] } };
  }
  if ((r = m.match(/^Directive "@(.+?)" argument "(.+?)" of type ".+?" is required, but it was not provided\./))) {
    return { ...base, message: `Directive '${r[1]}' is missing required arguments: ${r[2]}`, extensions: { code: 'missingRequiredArguments', className: 'Directive', name: r[1], arguments: r[2] } };
  }
  if ((r = m.match(/^Field "(.+?)" of type "(.+?)" must have a selection of subfields/))) {
    const typeName = r[2]!.replace(/[[\]!]/g, '');
    return { ...base, message: `Field must have selections (field '${r[1]}' returns ${typeName} but has no selections. Did you mean '${r[1]} { ... }'?)`, extensions: { code: 'selectionMismatch', nodeName: `field '${r[1]}'`, typeName } };
  }
  if ((r = m.match(/^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\./))) {
    const typeName = r[2]!;
    return { ...base, message: `Selections can't be made on scalars (field '${r[1]}' returns ${typeName} but has selections [${selectionNames(node)}])`, extensions: { code: 'selectionMismatch', nodeName: `field '${r[1]}'`, typeName } };
  }
  if ((r = m.match(/^Field "(.+?)" is not defined by type "(.+?)"\./))) {
    return { ...base, message: `InputObject '${r[2]}' doesn't accept argument '${r[1]}'`, extensions: { code: 'argumentNotAccepted', name: r[2], typeName: 'InputObject', argumentName: r[1] } };
  }
  if ((r = m.match(/^Field "(.+?)\.(.+?)" of required type "(.+?)" was not provided\./))) {
    return { ...base, message: `Argument '${r[2]}' on InputObject '${r[1]}' is required. Expected type ${r[3]}`, extensions: { code: 'missingRequiredInputObjectAttribute', argumentName: r[2], argumentType: r[3], inputObjectType: r[1] } };
  }
  if ((r = m.match(/^Expected value of type "(.+?)", found (.+?)[;.]/)) || (r = m.match(/^(\w+) cannot represent .*?: (.+)$/))) {
    const argName = base.path?.[base.path.length - 1] ?? '';
    return { ...base, message: `Argument '${argName}' on Field '${String(base.path?.[base.path.length - 2] ?? '')}' has an invalid value (${r[2]}). Expected type '${r[1]}'.`, extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: argName } };
  }
  if ((r = m.match(/^Variable "\$(.+?)" is not defined(?: by operation "(.+?)")?\./))) {
    return { ...base, message: `Variable $${r[1]} is used by ${r[2] ?? 'anonymous query'} but not declared`, extensions: { code: 'variableNotDefined', variableName: r[1] } };
  }
  if ((r = m.match(/^Variable "\$(.+?)" is never used(?: in operation "(.+?)")?\./))) {
    return { ...base, message: `Variable $${r[1]} is declared by ${r[2] ?? 'anonymous query'} but not used`, extensions: { code: 'variableNotUsed', variableName: r[1] } };
  }
  if ((r = m.match(/^Unknown directive "@(.+?)"\./))) {
    return { ...base, message: `Directive @${r[1]} is not defined`, extensions: { code: 'undefinedDirective', directiveName: r[1] } };
  }
  if ((r = m.match(/^Directive "@(.+?)" may not be used on (\w+)\./))) {
    const where = r[2]!.toLowerCase();
    return { ...base, message: `'@${r[1]}' can't be applied to ${where}s (allowed: fields)`, extensions: { code: 'directiveCannotBeApplied', targetName: where, name: r[1] } };
  }
  if ((r = m.match(/^Unknown type "(.+?)"\./))) {
    return { ...base, message: `No such type ${r[1]}, so it can't be a fragment condition`, extensions: { code: 'undefinedType', typeName: r[1] } };
  }
  return base;
}

function selectionNames(node: ASTNode | undefined): string {
  if (!node || node.kind !== 'Field' || !node.selectionSet) return '';
  return node.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : '...')).join(', ');
}

/** graphql-ruby lists every missing argument of one field in a single error; graphql-js reports one per argument. */
function mergeMissingArguments(errors: ShopifyGraphqlError[]): ShopifyGraphqlError[] {
  const out: ShopifyGraphqlError[] = [];
  for (const e of errors) {
    const prev = out.find(
      (p) =>
        p.extensions?.code === 'missingRequiredArguments' &&
        e.extensions?.code === 'missingRequiredArguments' &&
        JSON.stringify(p.path) === JSON.stringify(e.path),
    );
    if (prev && prev.extensions) {
      prev.extensions.arguments = `${String(prev.extensions.arguments)}, ${String(e.extensions!.arguments)}`;
      prev.message = `${prev.message.split(': ')[0]}: ${String(prev.extensions.arguments)}`;
    } else out.push(e);
  }
  return out;
}

/**
 * Rewrites graphql-js variable-coercion errors (`Variable "$input" got invalid value … at "input.foo"; Field "foo"
 * is not defined by type "X".`) into Shopify's INVALID_VARIABLE shape with `value` and `problems[]`.
 */
export function toShopifyVariableError(
  e: GraphQLError,
  document: DocumentNode,
  variables: Record<string, unknown>,
  schema?: GraphQLSchema,
): ShopifyGraphqlError {
  const r = e.message.match(/^Variable "\$(\w+)" (?:got invalid value .*? at "\w+(.*?)"; |got invalid value .*?; |of required type .*? was not provided\.|of non-null type .*? must not be null\.)(.*)$/s);
  if (!r) return { message: e.message, extensions: { code: 'INVALID_VARIABLE' } };
  const name = r[1]!;
  const path = parsePath(r[2] ?? '');
  const inner = r[3] ?? '';
  let explanation = inner;
  let q: RegExpMatchArray | null;
  if ((q = inner.match(/^Field "(.+?)" is not defined by type "(.+?)"\./))) {
    path.push(q[1]!);
    explanation = `Field is not defined on ${q[2]}`;
  } else if ((q = inner.match(/^Field "(.+?)\.(.+?)" of required type .* was not provided\./))) {
    path.push(q[2]!);
    explanation = 'Expected value to not be null';
  } else if (inner === '' || /^Expected non-nullable type .* not to be null\./.test(inner)) {
    explanation = 'Expected value to not be null';
  } else if ((q = inner.match(/^Value "(.+?)" does not exist in "(.+?)" enum\./))) {
    explanation = `Expected "${q[1]}" to be one of: ${enumValues(schema, q[2]!)}`;
  } else if ((q = inner.match(/^(\w+) cannot represent .*?: (.+)$/))) {
    explanation = `Could not coerce value ${q[2]} to ${q[1]}`;
  }
  const def = findVariableDefinition(document, name);
  const typeText = def ? printType(def) : '';
  const where = path.length ? ` for ${path.join('.')}` : '';
  return {
    message: `Variable $${name} of type ${typeText} was provided invalid value${where}${path.length ? ` (${explanation})` : ''}`,
    ...(e.locations ? { locations: e.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
    extensions: { code: 'INVALID_VARIABLE', value: variables[name] ?? null, problems: [{ path, explanation }] },
  };
}

function enumValues(schema: GraphQLSchema | undefined, enumName: string): string {
  const t = schema?.getType(enumName);
  return t && isEnumType(t) ? t.getValues().map((v) => v.name).join(', ') : enumName;
}

function parsePath(text: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of text.matchAll(/\.(\w+)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}

function findVariableDefinition(document: DocumentNode, name: string) {
  for (const d of document.definitions) {
    if (d.kind !== 'OperationDefinition') continue;
    const v = d.variableDefinitions?.find((x) => x.variable.name.value === name);
    if (v) return v;
  }
  return undefined;
}

function printType(def: NonNullable<ReturnType<typeof findVariableDefinition>>): string {
  const print = (t: typeof def.type): string =>
    t.kind === 'NonNullType' ? `${print(t.type)}!` : t.kind === 'ListType' ? `[${print(t.type)}]` : t.name.value;
  return print(def.type);
}
