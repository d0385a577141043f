import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

/**
 * The `config:` block of an Odoo connection. Credentials: an API key (Preferences → Account Security) of a
 * dedicated integration user. JSON-RPC (Odoo ≤18) also needs that user's `login`; JSON-2 (19+) needs only the key.
 */
export const odooConfig = z
  .strictObject({
    /** Base URL of the Odoo server (also how tests point at the sandbox simulator), e.g. `https://erp.example.com`. */
    url: z.url(),
    /** Database name: first argument of every JSON-RPC call, `X-Odoo-Database` header on JSON-2. */
    database: z.string().min(1),
    /** Login of the integration user (JSON-RPC only: `common.authenticate`). */
    login: z.string().min(1).optional(),
    apiKey: secret(),
    /** `auto` reads `/web/version` once: JSON-2 from 19.0, JSON-RPC before. */
    protocol: z.enum(['auto', 'jsonrpc', 'json2']).default('auto'),
    /** Stock (free quantity) of this warehouse only; default: all warehouses. */
    warehouseId: z.number().int().positive().optional(),
    /** Stock (free quantity) of this location and its children only; wins over `warehouseId`, as in Odoo. */
    locationId: z.number().int().positive().optional(),
    /** Prices from this pricelist (computed as Odoo does, quantity 1, today); default: the sales price. */
    pricelistId: z.number().int().positive().optional(),
    /** Currency of the sales price (`list_price`) when no pricelist is configured, e.g. `PLN`. */
    currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code' }).optional(),
    /** Whether Odoo's prices include tax (Odoo's default taxes are tax-excluded). */
    pricesIncludeTax: z.boolean().default(false),
    /** Tax rate used to derive the other of gross/net, e.g. "0.23". Without it, only the amount Odoo shows is reported. */
    taxRate: z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, { message: 'must be a decimal rate as text, e.g. "0.23"' }).optional(),
    /** Odoo language for names (`context.lang`); the snapshot's locale is its first two letters. */
    language: z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/).default('en_US'),
    /** Confirm recorded sale orders (`action_confirm`) so Odoo reserves their stock. */
    confirmOrders: z.boolean().default(true),
    /** Customer (res.partner id) for recorded orders whose buyer has no unique partner with that e-mail. */
    orderPartnerId: z.number().int().positive().optional(),
    /** How far back each poll looks beyond the previous watermark (clock skew, long transactions). */
    pollOverlapSeconds: z.number().int().nonnegative().default(120),
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Odoo documents no request limit; this keeps the hub polite. */
    requestsPerSecond: z.number().positive().default(5),
  })
  .superRefine((c, issue) => {
    if (c.protocol === 'jsonrpc' && !c.login) issue.addIssue({ code: 'custom', path: ['login'], message: 'required for protocol jsonrpc' });
    if (c.pricelistId === undefined && !c.currency) {
      issue.addIssue({ code: 'custom', path: ['currency'], message: 'required when no pricelistId is set (the currency of list_price)' });
    }
  });

export type OdooConfig = z.output<typeof odooConfig>;
