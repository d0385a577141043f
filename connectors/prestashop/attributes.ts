import type { ConnectorContext } from '../../core/sdk/index.ts';
import { list } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { defaultLanguageId } from './config.ts';
import { optionSchema, optionValueSchema } from './schemas.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** One attribute value ("Size: M") as the shop names it in its default language. */
export interface AttributeValue {
  id: number;
  group: string;
  value: string;
}

function name(ctx: Ctx, ml: Record<string, string>): string {
  return ml[defaultLanguageId(ctx.config)] ?? ml['*'] ?? Object.values(ml)[0] ?? '';
}

/** Names of the given product_option_values (combination attributes), by id. */
export async function attributeValuesById(ctx: Ctx, ids: number[]): Promise<Map<number, AttributeValue>> {
  const out = new Map<number, AttributeValue>();
  const unique = [...new Set(ids)];
  if (!unique.length) return out;
  const values = await list(ctx, 'product_option_values', optionValueSchema, { display: 'full', 'filter[id]': `[${unique.join('|')}]` });
  const groupIds = [...new Set(values.map((v) => v.id_attribute_group))];
  const groups = groupIds.length ? await list(ctx, 'product_options', optionSchema, { display: 'full', 'filter[id]': `[${groupIds.join('|')}]` }) : [];
  const groupName = new Map(groups.map((g) => [g.id, name(ctx, g.name)]));
  for (const v of values) out.set(v.id, { id: v.id, group: groupName.get(v.id_attribute_group) ?? String(v.id_attribute_group), value: name(ctx, v.name) });
  return out;
}

/**
 * Every attribute value of the shop, for matching a variant's `{ Size: "M" }` to option value ids on write.
 * The webservice key needs GET on product_options and product_option_values (it has on a default key).
 * Groups match by name or public name, values by name, case-insensitively, in the default language.
 */
export async function attributeMatcher(ctx: Ctx): Promise<(group: string, value: string) => number | undefined> {
  const groups = await list(ctx, 'product_options', optionSchema, { display: 'full' });
  const values = await list(ctx, 'product_option_values', optionValueSchema, { display: 'full' });
  const lang = defaultLanguageId(ctx.config);
  const norm = (s: string | undefined) => (s ?? '').trim().toLowerCase();
  return (group, value) => {
    const g = groups.filter((x) => [x.name[lang], x.name['*'], x.public_name[lang], x.public_name['*']].some((n) => n !== undefined && norm(n) === norm(group)));
    const match = values.find((v) => g.some((x) => x.id === v.id_attribute_group) && [v.name[lang], v.name['*']].some((n) => n !== undefined && norm(n) === norm(value)));
    return match?.id;
  };
}
