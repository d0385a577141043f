import type { LocalizedText } from '../../core/sdk/index.ts';
import { defaultLanguageId, type PrestashopConfig } from './config.ts';

/**
 * Variant external ids: `<id_product>-<id_product_attribute>`. A combination is `20-7`; a product without
 * combinations is its own single variant `20-0`. Stock uses the same id, because a stock_available row is keyed
 * by exactly that pair. Product external ids are the plain `id_product`.
 */
export function variantId(productId: number | string, combinationId: number | string): string {
  return `${productId}-${combinationId}`;
}

export function parseVariantId(externalId: string): { productId: number; combinationId: number } | undefined {
  const m = /^(\d+)-(\d+)$/.exec(externalId);
  return m ? { productId: Number(m[1]), combinationId: Number(m[2]) } : undefined;
}

export function parseProductId(externalId: string): number | undefined {
  return /^\d+$/.test(externalId) ? Number(externalId) : undefined;
}

/** A normalised multilingual value (`{ "<lang id>": text }`, or `{ "*": text }` when a plain string came back) → hub locales. */
export function toLocales(config: PrestashopConfig, value: Record<string, string>): LocalizedText {
  const out: LocalizedText = {};
  const entries = Object.entries(config.languages);
  for (const [locale, langId] of entries) {
    const text = value[String(langId)];
    if (text) out[locale] = text;
  }
  // A plain string is the shop's only (or requested) language: the default one.
  if (value['*'] && entries[0]) out[entries[0][0]] = value['*'];
  return out;
}

/** Hub locales → `{ "<lang id>": text }` for an XML write; locales without a language id are left out. */
export function fromLocales(config: PrestashopConfig, text: LocalizedText): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [locale, langId] of Object.entries(config.languages)) {
    if (text[locale] !== undefined) out[String(langId)] = text[locale]!;
  }
  return out;
}

/**
 * Every configured language gets a value on create: a language left out is stored as "" and can make the
 * webservice fail (recorded 126/127). Missing ones fall back to the default language's text.
 */
export function allLanguages(config: PrestashopConfig, text: LocalizedText): Record<string, string> {
  const given = fromLocales(config, text);
  const fallback = given[defaultLanguageId(config)] ?? Object.values(given)[0] ?? '';
  return Object.fromEntries(Object.values(config.languages).map((id) => [String(id), given[String(id)] ?? fallback]));
}

/** A URL slug for `link_rewrite` (PrestaShop's isLinkRewrite: lower-case letters, digits, dashes). */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128) || 'product';
}
