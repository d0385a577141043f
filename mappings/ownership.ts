import { z } from 'zod';

/**
 * The field groups a connection can own. Exactly one connection owns each group; changes to a group coming from
 * any other connection are recorded as drift and never applied (DESIGN.md, "How sync works", step 2).
 */
export const FIELD_GROUPS = ['content', 'media', 'category', 'price', 'stock', 'status'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/** `field group → owning connection name`. Groups left out are owned by nobody: no channel may change them. */
export const ownershipSchema = z.strictObject(
  Object.fromEntries(FIELD_GROUPS.map((g) => [g, z.string().min(1).optional()])) as Record<
    FieldGroup,
    z.ZodOptional<z.ZodString>
  >,
);
export type Ownership = z.infer<typeof ownershipSchema>;

/** Who owns a field group, or undefined when nobody does. */
export function ownerOf(ownership: Ownership, group: FieldGroup): string | undefined {
  return ownership[group];
}
