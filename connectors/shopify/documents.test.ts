import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from './documents.ts';
import { estimateCost } from './estimate-cost.ts';

// Built once for the file: the SDL is 3.4 MB.
const schema = buildSchema(readFileSync(new URL('../../../shared/specs/shopify/admin-graphql-2026-04.graphql', import.meta.url), 'utf8'));

describe('every document the connector sends', () => {
  // A builder (a document whose size depends on the batch) is checked as built for one item and for the largest batch.
  const all = Object.entries(documents).flatMap(([name, d]) => (typeof d === 'function' ? [[`${name}(1)`, d(1)], [`${name}(10)`, d(10)]] : [[name, d]]));

  it('is collected (the module exports only documents and document builders)', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const [, text] of all) expect(typeof text).toBe('string');
  });

  it.each(all)('%s validates against the 2026-04 schema', (_name, text) => {
    const errors = validate(schema, parse(text));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('uses the 2026-04 inventory contract (idempotent directive, no removed CAS fields)', () => {
    expect(documents.INVENTORY_SET_QUANTITIES).toContain('@idempotent(key: $key)');
    expect(documents.INVENTORY_SET_QUANTITIES).not.toMatch(/compareQuantity|ignoreCompareQuantity/);
  });

  it('keeps each query under the 1000-point single-query cap at the largest configured page sizes', () => {
    expect(estimateCost(documents.PRODUCTS_PAGE, { first: 15 })).toBeLessThanOrEqual(1000);
    expect(estimateCost(documents.ORDERS_PAGE, { first: 10 })).toBeLessThanOrEqual(1000);
    expect(estimateCost(documents.PRODUCT_FOR_WRITE)).toBeLessThanOrEqual(1000);
    // A catalogue write batch (10 products) asks whether its handles exist in one query of 10 points.
    expect(estimateCost(documents.productsByHandleDocument(10))).toBe(10);
    expect(estimateCost(documents.INVENTORY_SET_QUANTITIES)).toBe(10);
  });
});
