import { createHash } from 'node:crypto';
import { HTTPError } from 'ky';
import { BusinessError, RetryableError, type ConnectorContext, type DesiredProduct, type ImageRef } from '../../core/sdk/index.ts';
import { failure } from './client.ts';
import type { PrestashopConfig } from './config.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** Larger sources are refused: PrestaShop's default upload limit is far below this anyway. */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/**
 * The storefront's public URL of an original product image (`/img/p/2/4/24.jpg`): what snapshots carry, so another
 * channel can fetch it without the webservice key.
 */
export function publicImageUrl(config: PrestashopConfig, imageId: string | number): string {
  const base = config.url.endsWith('/') ? config.url : `${config.url}/`;
  return new URL(`img/p/${String(imageId).split('').join('/')}/${imageId}.jpg`, base).toString();
}

/** The image ids of a product in the order the shop lists them (cover first), from `associations.images`. */
export function snapshotImages(config: PrestashopConfig, images: Array<Record<string, string>>, coverId: string | undefined): ImageRef[] {
  const ids = images.map((i) => i.id).filter((id): id is string => !!id && /^\d+$/.test(id));
  const ordered = coverId && ids.includes(coverId) ? [coverId, ...ids.filter((i) => i !== coverId)] : ids;
  return ordered.map((id, position) => ({ url: publicImageUrl(config, id), externalId: id, position }));
}

/**
 * Downloads a source image with a plain fetch — never through `ctx.http`, which would send the shop's key to
 * whatever host the image lives on. A missing source is a business failure (retrying will not make it appear);
 * network trouble and 5xx are retryable.
 */
async function download(url: string): Promise<{ bytes: Buffer; type: string; sha256: string }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (err) {
    throw new RetryableError(`image source ${url} could not be fetched: ${(err as Error).message}`, { cause: err });
  }
  if (res.status >= 500 || res.status === 429) throw new RetryableError(`image source ${url} answered ${res.status}`);
  if (!res.ok) throw new BusinessError(`image source ${url} answered ${res.status}`);
  const type = res.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream';
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_IMAGE_BYTES) throw new BusinessError(`image source ${url} is ${bytes.length} bytes, more than ${MAX_IMAGE_BYTES}`);
  return { bytes, type, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The image ids the shop has for a product (`GET images/products/{id}` → `<declination id=…>`). */
async function channelImageIds(ctx: Ctx, productId: number): Promise<Set<string>> {
  try {
    const xml = await ctx.http.get(`images/products/${productId}`).text();
    return new Set([...xml.matchAll(/<declination id="(\d+)"/g)].map((m) => m[1]!));
  } catch (err) {
    return failure(err, `GET images/products/${productId}`);
  }
}

async function upload(ctx: Ctx, productId: number, source: { bytes: Buffer; type: string }, url: string): Promise<string> {
  const form = new FormData();
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'image');
  form.append('image', new Blob([new Uint8Array(source.bytes)], { type: source.type }), name);
  let xml: string;
  try {
    // 200 (not 201) with the record and the stored image in base64 (recorded 085); only the id matters here.
    xml = await ctx.http.post(`images/products/${productId}`, { body: form }).text();
  } catch (err) {
    return failure(err, `POST images/products/${productId}`);
  }
  const id = /<image>\s*<id><!\[CDATA\[(\d+)\]\]><\/id>/.exec(xml)?.[1];
  if (!id) throw new Error(`PrestaShop answered an image upload for product ${productId} without an image id`);
  return id;
}

async function removeImage(ctx: Ctx, productId: number, imageId: string): Promise<void> {
  try {
    await ctx.http.delete(`images/products/${productId}/${imageId}`);
  } catch (err) {
    // Already gone (deleted in the back office): that is what we wanted.
    if (err instanceof HTTPError && (err.response.status === 404 || err.response.status === 400)) return;
    await failure(err, `DELETE images/products/${productId}/${imageId}`);
  }
}

/**
 * Brings a product's images to the desired list without re-uploading unchanged ones. The shop re-encodes every
 * upload (recorded 085), so what it stores can never be hashed back to the source: the content hash of each image
 * we uploaded and its shop id live in the hub's binding (`channelImages`). An image whose hash is bound and still
 * on the shop is kept; a new or changed one is downloaded, hashed and uploaded; an image we uploaded that is no
 * longer desired is deleted. Images someone else put on the product are never touched. Returns what the binding
 * should now hold. If a step fails, the images uploaded by this call are deleted again, so a retry cannot leave
 * duplicates behind.
 */
export async function syncProductImages(ctx: Ctx, productId: number, p: DesiredProduct): Promise<ImageRef[]> {
  const ours = p.channelImages ?? [];
  const onShop = await channelImageIds(ctx, productId);
  const live = (sha256: string | undefined) => (sha256 ? ours.find((o) => o.sha256 === sha256 && o.externalId && onShop.has(o.externalId)) : undefined);
  // Variant images join the product's gallery: PrestaShop shows them all on the product.
  const wanted = [...p.images, ...p.variants.flatMap((v) => v.images)];
  const result: ImageRef[] = [];
  const uploaded: string[] = [];
  try {
    for (const image of wanted) {
      let kept = live(image.sha256);
      let sha256 = image.sha256;
      if (!kept) {
        const source = await download(image.url);
        sha256 = source.sha256;
        kept = live(sha256) ?? result.find((r) => r.sha256 === sha256);
        if (!kept) {
          const id = await upload(ctx, productId, source, image.url);
          uploaded.push(id);
          kept = { url: image.url, sha256, externalId: id };
        }
      }
      if (result.some((r) => r.externalId === kept.externalId)) continue;
      result.push({ url: image.url, sha256: sha256!, externalId: kept.externalId!, position: result.length });
    }
    const keep = new Set(result.map((r) => r.externalId));
    for (const old of ours) {
      if (old.externalId && !keep.has(old.externalId) && onShop.has(old.externalId)) await removeImage(ctx, productId, old.externalId);
    }
  } catch (err) {
    for (const id of uploaded) await removeImage(ctx, productId, id).catch(() => undefined);
    throw err;
  }
  if (uploaded.length) ctx.log.info({ productId, uploaded: uploaded.length, kept: result.length - uploaded.length }, 'product images uploaded');
  return result;
}
