import { afterAll, describe, expect, it } from 'vitest';
import { createPrestashopSimulator } from './index.ts';
import { compare, loadExchanges, recordedJson } from './replay.ts';

/**
 * Replays the 112 exchanges recorded against a real PrestaShop 8.2.1 (samples/prestashop/recorded) in their
 * recorded order against a simulator seeded with the same shop (built from the recorded `display=full` answers
 * taken before any write), and compares each answer with the recorded one by the rule documented in replay.ts.
 */
const KEY = 'REPLAYKEY0000000000000000000000K';

/** Exchanges not replayed, with the reason. */
const EXCLUDED: Record<string, string> = {
  '028-images-root-xml': 'images (binary upload/storage) are not simulated',
  '029-images-products-xml': 'images are not simulated',
  '030-images-product-1-xml': 'images are not simulated',
  '085-image-product-upload': 'images are not simulated (multipart upload)',
  '086-images-product-new-xml': 'images are not simulated',
  '087-product-created-after-image-json': 'depends on the image upload (id_default_image, associations.images)',
  '026-customers-display-full-json': 'customers are seeded from this very answer (kept as seed source, nothing to compare)',
};

/** Values that differ for a known, documented reason (the key set is still compared). */
const IGNORE_VALUES: Record<string, string[]> = {
  // The real shop had 7 demo order_histories; the simulator is not seeded with them, so the new id differs.
  '080-order_history-create-xml': ['id'],
  // Demo fixture internals the simulator does not recompute (category product counts).
  '021-categories-display-full-json': ['nb_products_recursive'],
  '109-category-2-json': ['nb_products_recursive'],
  '125-ml-categories-display-full-json': ['nb_products_recursive'],
  // Invoice / delivery numbering follows the shop's own counters, which the simulator approximates.
  '081-order-1-after-state-json': ['invoice_number', 'delivery_number'],
  '107-order_details-1-json': ['id_order_invoice'],
  // The image upload (085, excluded) set id_default_image on product 20.
  '104-product20-after-stock-json': ['id_default_image'],
  '105-products-display-full-filter-reference-json': ['id_default_image'],
  '121-ml-product20-json': ['id_default_image'],
  '122-ml-product20-json-language-1': ['id_default_image'],
  '123-ml-product20-xml': ['id_default_image'],
  '120-ml-product20-patch-two-languages-xml': ['id_default_image'],
  // The docs sample names manufacturer 1 and type "1": the real echo shows the WS getters' results
  // (manufacturer name lookup, setWsType, cache_default_attribute …), which the simulator does not compute.
  '054-product-create-docs-sample-verbatim': ['cache_default_attribute', 'id_default_combination', 'position_in_category', 'manufacturer_name', 'type', 'unit_price_ratio'],
};

function seedFromRecording() {
  const list = <T>(slug: string, key: string) => (recordedJson<Record<string, T[]>>(slug)[key] ?? []) as T[];
  return {
    resources: {
      languages: list('031-', 'languages'),
      order_states: list('033-', 'order_states'),
      categories: list('021-', 'categories'),
      products: list('006-', 'products'),
      combinations: list('019-', 'combinations'),
      stock_availables: list('016-', 'stock_availables'),
      specific_prices: list('022-', 'specific_prices'),
      orders: list('023-', 'orders'),
      order_details: list('025-', 'order_details'),
      customers: list('026-', 'customers'),
    },
  };
}

// The recorded run happened on 2026-11-22 around 19:08 GMT (20:08 in the shop's Europe/Warsaw time).
const sim = createPrestashopSimulator({ keys: [{ key: KEY }], clock: () => Date.UTC(2026, 10, 22, 19, 8, 42), seed: seedFromRecording() });
const results: Array<{ slug: string; ok: boolean }> = [];

async function beforeExchange(slug: string) {
  if (slug.startsWith('120-')) {
    // Between 116 and 120 a second language was installed through PrestaShop's own code (README).
    await sim.app.request('/__sandbox/seed', { method: 'POST', body: JSON.stringify({ resources: { languages: [{ id: 2, name: 'English (English)', iso_code: 'en', locale: 'en-US', language_code: 'en-us', active: '1', is_rtl: '0', date_format_lite: 'm/d/Y', date_format_full: 'm/d/Y H:i:s' }] } }) });
  }
  if (slug.startsWith('130-')) {
    // Thread 2 and message 3 were created by a guest through the storefront contact form, not the webservice.
    const thread = recordedJson<{ customer_thread: Record<string, unknown> }>('130-').customer_thread;
    const messages = recordedJson<{ customer_messages: Array<Record<string, unknown>> }>('131-').customer_messages;
    await sim.app.request('/__sandbox/seed', { method: 'POST', body: JSON.stringify({ resources: { customer_threads: [thread], customer_messages: messages } }) });
  }
}

describe('replay of the recorded PrestaShop 8.2.1 exchanges', () => {
  it('excludes only exchanges that exist, each with its reason (images are not simulated; 026 seeds the state)', () => {
    const slugs = new Set(loadExchanges().map((ex) => ex.slug));
    for (const [slug, reason] of Object.entries(EXCLUDED)) {
      expect(slugs.has(slug), slug).toBe(true);
      expect(reason.length).toBeGreaterThan(10);
    }
    expect(Object.keys(EXCLUDED)).toHaveLength(7);
  });

  for (const ex of loadExchanges()) {
    if (EXCLUDED[ex.slug]) continue;
    it(`${ex.slug}: ${ex.method} ${ex.path.slice(0, 80)} → ${ex.status}`, async () => {
      await beforeExchange(ex.slug);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ex.headers)) {
        if (['Host', 'Content-Length', 'User-Agent', 'Accept'].includes(k)) continue;
        headers[k] = v.replace('{WS_KEY_BASIC_B64}', Buffer.from(`${KEY}:`).toString('base64'));
      }
      const path = ex.path.replace('{WS_KEY}', KEY);
      const res = await sim.app.request(`http://127.0.0.1:8090${path}`, {
        method: ex.method,
        headers,
        ...(ex.body !== undefined && ex.method !== 'GET' && ex.method !== 'HEAD' ? { body: ex.body } : {}),
      });
      const body = await res.text();
      const cmp = compare(ex, res.status, res.headers.get('content-type'), body, { ignoreValues: IGNORE_VALUES[ex.slug] ?? [] });
      results.push({ slug: ex.slug, ok: cmp.ok });
      expect(cmp.problems, cmp.problems.join('\n')).toEqual([]);
    });
  }
  afterAll(() => {
    // The coverage claim in the README is this number.
    expect(results.length + Object.keys(EXCLUDED).length).toBe(112);
  });
});
