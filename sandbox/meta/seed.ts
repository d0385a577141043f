import { z } from 'zod';

/**
 * The seed document tests and the demo load through `POST /__sandbox/seed` (or `sim.seed()`): catalogues with
 * products, Messenger pages with the people who already wrote to them, WhatsApp business accounts with their
 * phone numbers, approved templates and known users. Seeding adds to (or replaces by id) what is there.
 */

/** A catalogue item in feed-spec field names, exactly as `items_batch` takes them (`id` = retailer id). */
export const seedProductSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  description: z.string().default(''),
  availability: z.string().default('in stock'),
  condition: z.string().default('new'),
  price: z.string(),
  sale_price: z.string().optional(),
  sale_price_effective_date: z.string().optional(),
  link: z.string(),
  image_link: z.string(),
  brand: z.string().optional(),
  item_group_id: z.string().optional(),
  quantity_to_sell_on_facebook: z.number().int().nonnegative().optional(),
});

export const seedCatalogSchema = z.object({
  id: z.string().regex(/^\d+$/),
  name: z.string().default('Sandbox catalog'),
  products: z.array(seedProductSchema).default([]),
});

export const seedPageSchema = z.object({
  id: z.string().regex(/^\d+$/),
  name: z.string().default('Sandbox Page'),
  /** Page access token; `/me/messages` resolves the Page from it. */
  accessToken: z.string().min(1).optional(),
  /** People who already messaged the Page: PSID and when they last wrote (epoch ms, default: now). */
  users: z
    .array(z.object({ psid: z.string().min(1), name: z.string().optional(), lastMessageAt: z.number().optional() }))
    .default([]),
});

export const seedTemplateSchema = z.object({
  id: z.string().optional(),
  name: z.string().min(1),
  language: z.string().default('en_US'),
  status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED']).default('APPROVED'),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']).default('UTILITY'),
  components: z.array(z.record(z.string(), z.unknown())).default([]),
});

export const seedPhoneNumberSchema = z.object({
  id: z.string().regex(/^\d+$/),
  displayPhoneNumber: z.string().min(1),
  verifiedName: z.string().default('Sandbox Shop'),
  /** Messages/second for this number (coexistence numbers are fixed at 20). Default: options.whatsappThroughputMps. */
  throughputMps: z.number().positive().optional(),
});

export const seedWhatsAppUserSchema = z.object({
  /** Phone-number WhatsApp id; may be absent for username users (2026). */
  waId: z.string().regex(/^\d+$/).optional(),
  /** Business-scoped user id, e.g. `US.13491208655302741918`; generated when absent. */
  userId: z.string().optional(),
  name: z.string().default('Sandbox Customer'),
  /** Last inbound message per phone number id (epoch ms): opens the 24 h customer-service window. */
  lastInboundAt: z.record(z.string(), z.number()).default({}),
});

export const seedWabaSchema = z.object({
  id: z.string().regex(/^\d+$/),
  phoneNumbers: z.array(seedPhoneNumberSchema).default([]),
  templates: z.array(seedTemplateSchema).default([]),
});

export const metaSeedSchema = z.object({
  catalogs: z.array(seedCatalogSchema).default([]),
  pages: z.array(seedPageSchema).default([]),
  wabas: z.array(seedWabaSchema).default([]),
  whatsappUsers: z.array(seedWhatsAppUserSchema).default([]),
});
export type MetaSeed = z.input<typeof metaSeedSchema>;
export type MetaSeedParsed = z.output<typeof metaSeedSchema>;
export type SeedProduct = z.output<typeof seedProductSchema>;
