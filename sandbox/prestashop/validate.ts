import { PsError } from './errors.ts';
import type { Entity } from './model.ts';
import { isLang } from './model.ts';
import type { FieldDef, ResourceDef } from './resources.ts';

/**
 * PrestaShop's `Validate::<format>` checks, for the formats the specs name (synopsis `format="…"`). PHP method
 * names are case-insensitive, so the synopsis' `IsGenericName` is `isGenericName`. Like ObjectModel::validateField,
 * an empty value ("" or "0") is not run through the format check; `required` is checked separately.
 * Formats not listed here (e.g. isTplName) are accepted: stated in the README, not silently claimed as checked.
 */
const INT_MAX_U = 4294967295;
const DATE_RE = /^([0-9]{4})-((0?[0-9])|(1[0-2]))-((0?[0-9])|([1-2][0-9])|(3[01]))( [0-9]{2}:[0-9]{2}:[0-9]{2})?$/;

const VALIDATORS: Record<string, (v: string) => boolean> = {
  isunsignedid: (v) => /^\d+$/.test(v) && Number(v) <= INT_MAX_U,
  isnullorunsignedid: (v) => v === '' || (/^\d+$/.test(v) && Number(v) <= INT_MAX_U),
  isunsignedint: (v) => /^\d+$/.test(v) && Number(v) <= INT_MAX_U,
  isint: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2147483648,
  ispositiveint: (v) => /^\d+$/.test(v) && Number(v) > 0,
  isbool: (v) => v === '0' || v === '1' || v === 'true' || v === 'false',
  isprice: (v) => /^[0-9]{1,10}(\.[0-9]{1,9})?$/.test(v),
  isnegativeprice: (v) => /^[-]?[0-9]{1,10}(\.[0-9]{1,9})?$/.test(v),
  isfloat: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  isunsignedfloat: (v) => v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0,
  isdate: (v) => DATE_RE.test(v),
  isdateformat: (v) => DATE_RE.test(v),
  isdateornull: (v) => v === '' || DATE_RE.test(v),
  isbirthdate: (v) => v === '' || DATE_RE.test(v),
  isean13: (v) => /^[0-9]{0,13}$/.test(v),
  isupc: (v) => /^[0-9]{0,12}$/.test(v),
  isisbn: (v) => /^[0-9-]{0,32}$/.test(v),
  ismpn: (v) => v.length <= 40,
  isreference: (v) => /^[^<>;={}]*$/u.test(v),
  isgenericname: (v) => /^[^<>={}]*$/u.test(v),
  iscatalogname: (v) => /^[^<>;=#{}]*$/u.test(v),
  ismessage: (v) => /^[^<>{}]*$/u.test(v),
  isstring: () => true,
  iscleanhtml: (v) => !/<\s*(script|iframe|form|input|embed|object)\b|\bon\w+\s*=|javascript\s*:/i.test(v),
  isemail: (v) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v),
  islinkrewrite: (v) => /^[_\p{L}\p{N}\p{S}-]+$/u.test(v),
  isreductiontype: (v) => v === 'amount' || v === 'percentage',
  isproductvisibility: (v) => ['both', 'catalog', 'search', 'none'].includes(v),
  iscolor: (v) => /^(#[0-9a-fA-F]{6}|[a-zA-Z0-9-]*)$/.test(v),
  isname: (v) => /^[^0-9!<>,;?=+()@#"°{}_$%:¤|]*$/u.test(v),
  iscustomername: (v) => /^[^0-9!<>,;?=+()@#"°{}_$%:¤|]*$/u.test(v),
  isphonenumber: (v) => /^[+0-9. ()/-]*$/.test(v),
  ispostcode: (v) => /^[a-zA-Z 0-9-]+$/.test(v),
  islanguageisocode: (v) => /^[a-zA-Z]{2,3}$/.test(v),
  islanguagecode: (v) => /^[a-zA-Z]{2}(-[a-zA-Z]{2})?$/.test(v),
  islocale: (v) => /^[a-z]{2}-[A-Z]{2}$/.test(v),
  isnumericisocode: (v) => /^[0-9]{2,3}$/.test(v),
  ismodulename: (v) => /^[a-zA-Z0-9_-]+$/.test(v),
  isurl: (v) => /^[~:#,$%&_=()[\]\s.?+\-@/a-zA-Z0-9]+$/.test(v),
};

export function formatKnown(format: string): boolean {
  return format.toLowerCase() in VALIDATORS;
}

export function checkFormat(format: string, value: string): boolean {
  const fn = VALIDATORS[format.toLowerCase()];
  return fn ? fn(value) : true;
}

function validateOne(def: ResourceDef, f: FieldDef, value: string, lang: boolean): PsError | undefined {
  const prop = `${def.className}->${f.name}`;
  const code = lang ? 84 : 85;
  if (f.maxSize !== undefined && [...value].length > f.maxSize) {
    return PsError.one(400, code, `Validation error: "The length of property ${prop} is currently ${[...value].length} chars. It must be between 0 and ${f.maxSize} chars."`);
  }
  if (f.format && value !== '' && value !== '0' && !checkFormat(f.format, value)) {
    return PsError.one(400, code, `Validation error: "Property ${prop} is not valid"`);
  }
  return undefined;
}

/**
 * validateFieldsLang then validateFields, as WebserviceRequest::saveEntityFromXml runs them (codes 84 / 85,
 * first failure only).
 */
export function validateEntity(def: ResourceDef, e: Entity): void {
  for (const f of def.fields.filter((x) => x.multilingual)) {
    const v = e.fields[f.name];
    if (!isLang(v)) continue;
    for (const text of Object.values(v)) {
      const err = validateOne(def, f, text, true);
      if (err) throw err;
    }
  }
  for (const f of def.fields.filter((x) => !x.multilingual)) {
    const v = e.fields[f.name];
    if (v === undefined || isLang(v)) continue;
    const err = validateOne(def, f, v, false);
    if (err) throw err;
  }
}
