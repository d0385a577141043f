import type { DemoProduct } from '../../sandbox/demo/seed.ts';
import type { AllegroSeed } from '../../sandbox/allegro/index.ts';

/** A synthetic ERP catalogue in the demo's shape: `products` products × 4 sizes, deterministic. */
export function benchCatalogue(products: number): DemoProduct[] {
  return Array.from({ length: products }, (_, i) => {
    const no = String(i + 1).padStart(5, '0');
    const price = ((50 + (i % 20) * 5) * 1.23).toFixed(2);
    return {
      titlePl: `Koszulka testowa ${no}`,
      titleEn: `Bench T-shirt ${no}`,
      category: 'Odzież',
      variants: ['S', 'M', 'L', 'XL'].map((size, k) => ({ sku: `B${no}-${size}`, ean: ean13(i * 4 + k + 1), size, price, stock: 5 + ((i + k) % 30) })),
    };
  });
}

function ean13(n: number): string {
  const body = `591${String(n).padStart(9, '0')}`.slice(0, 12);
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** Every SKU as one Allegro offer (Allegro has no variants on the seller side), signed with its SKU, stale stock. */
export function benchAllegroSeed(products: DemoProduct[]): AllegroSeed {
  return {
    offers: products.flatMap((p, i) =>
      p.variants.map((v, k) => ({
        id: String(17_000_000_000 + i * 4 + k),
        name: `${p.titlePl} ${v.size ?? ''}`.trim().slice(0, 75),
        externalId: v.sku,
        price: { amount: '1.00', currency: 'PLN' },
        stock: 1,
      })),
    ),
    threads: [],
  };
}
