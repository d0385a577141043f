import { z } from 'zod';

/**
 * How canonical categories and attribute names are called on one channel. Unmapped values pass through
 * unchanged, and `plan` shows which values had no mapping, so a missing category is visible, not silent.
 */
export const catalogMapsSchema = z.strictObject({
  /** Canonical category → the channel's category (id or path). */
  categories: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** Canonical attribute name → the channel's attribute name (e.g. "colour" → "Kolor"). */
  attributes: z.record(z.string().min(1), z.string().min(1)).default({}),
});
export type CatalogMaps = z.infer<typeof catalogMapsSchema>;

export function mapCategory(category: string | null, maps: CatalogMaps): { value: string | null; unmapped: boolean } {
  if (category === null) return { value: null, unmapped: false };
  const mapped = maps.categories[category];
  return { value: mapped ?? category, unmapped: mapped === undefined && Object.keys(maps.categories).length > 0 };
}

export function mapAttributes(attributes: Record<string, string>, maps: CatalogMaps): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [maps.attributes[k] ?? k, v]));
}
