/**
 * The stored shape of one webservice record. Values are strings, as PrestaShop's ObjectModel hands them to the
 * webservice; multilingual fields map language id → value; associations are lists of small string records.
 */
export type LangValue = Record<string, string>;
export type FieldValue = string | LangValue;

export interface Entity {
  id: number;
  fields: Record<string, FieldValue>;
  associations: Record<string, Array<Record<string, string>>>;
}

export function isLang(v: FieldValue | undefined): v is LangValue {
  return typeof v === 'object' && v !== null;
}

/** The text of a field for one language (first language when none is given). */
export function textOf(v: FieldValue | undefined, lang?: string): string {
  if (v === undefined) return '';
  if (!isLang(v)) return v;
  if (lang !== undefined) return v[lang] ?? '';
  const first = Object.keys(v)[0];
  return first === undefined ? '' : (v[first] ?? '');
}
