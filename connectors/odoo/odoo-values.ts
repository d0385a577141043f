import { z } from 'zod';
import type { OdooConfig } from './config.ts';
import { OdooError } from './errors.ts';

/** Odoo's wire values: many2one is `[id, "display name"]` or false, an empty char/datetime is false. */
export const many2one = z.union([z.tuple([z.number().int(), z.string()]), z.literal(false)]);
export const optText = z.union([z.string(), z.literal(false)]).transform((v) => (v === false || v === '' ? null : v));
export const ids = z.array(z.number().int());
export const datetime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

export const m2oId = (v: z.infer<typeof many2one>): number | undefined => (v === false ? undefined : v[0]);

/** Validates a `search_read`/`read` answer row by row; a bad row is a clear error naming the model and field. */
export function parseRows<S extends z.ZodType>(schema: S, value: unknown, model: string): Array<z.output<S>> {
  const parsed = z.array(schema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OdooError('invalid-response', `unexpected ${model} data from Odoo at ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      httpStatus: 502,
      model,
      method: 'search_read',
    });
  }
  return parsed.data;
}

/** The id list `create` returns (JSON-RPC returns a bare id for a single dict; we always send a list). */
export function createdId(value: unknown, model: string): number {
  const parsed = z.union([z.number().int(), z.array(z.number().int()).length(1)]).safeParse(value);
  if (!parsed.success) throw new OdooError('invalid-response', `Odoo's ${model}.create answer is not an id`, { httpStatus: 502, model, method: 'create' });
  return Array.isArray(parsed.data) ? parsed.data[0]! : parsed.data;
}

/** `YYYY-MM-DD HH:MM:SS` (naive UTC, as Odoo stores datetimes). */
export function toOdooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export function fromOdooDatetime(s: string): Date {
  return new Date(`${s.slice(0, 19).replace(' ', 'T')}Z`);
}

/** Context for reads: language and, for stock fields, the configured location or warehouse (location wins). */
export function readContext(config: OdooConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    lang: config.language,
    ...(config.locationId !== undefined ? { location: config.locationId } : config.warehouseId !== undefined ? { warehouse: config.warehouseId } : {}),
    ...extra,
  };
}
