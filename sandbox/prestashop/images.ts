import type { Context } from 'hono';
import { cdata, PsError } from './errors.ts';
import type { Method } from './routes.ts';
import type { Store } from './store.ts';
import { XML_HEAD, XML_TAIL } from './xml.ts';

/**
 * `/api/images/products[/{id_product}[/{id_image}]]` — the webservice's product images (recorded 028–030, 085–087):
 * multipart upload in the form field `image` (answers **200** with the image record and the stored image in base64),
 * the list of a product's image ids as `<declination>`s, the binary, and DELETE. The real shop re-encodes every
 * upload (recorded 085: 4007 bytes sent, 4658 different bytes stored), so the bytes read back never hash like the
 * bytes sent; the simulator reproduces that by adding a comment segment/chunk. The product's `id_default_image`
 * (cover) and `associations.images` follow every upload and delete (recorded 087).
 */

export interface ImageRec {
  id: number;
  productId: number;
  position: number;
  cover: boolean;
  mime: string;
  bytes: Buffer;
}

const IMAGE_TYPES = ['general', 'products', 'categories', 'manufacturers', 'suppliers', 'stores', 'customizations'];
const ALLOWED_MIME = 'image/gif, image/jpg, image/jpeg, image/pjpeg, image/png, image/webp, image/x-png';
/** The product image sizes of a default 8.x shop (recorded 029). */
const PRODUCT_IMAGE_TYPES: Array<[number, string]> = [[1, 'cart_default'], [4, 'home_default'], [5, 'large_default'], [3, 'medium_default'], [2, 'small_default']];

/** The image format from its bytes (the core checks the content, not the name or the declared type). */
export function sniffImage(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 6 && ['GIF87a', 'GIF89a'].includes(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

/** What the shop stores instead of the upload: still a valid image of the same format, never the same bytes. */
function reencode(bytes: Buffer, mime: string): Buffer {
  const note = Buffer.from('re-encoded by the PrestaShop simulator', 'latin1');
  if (mime === 'image/jpeg') {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(note.length + 2);
    return Buffer.concat([bytes.subarray(0, 2), Buffer.from([0xff, 0xfe]), len, note, bytes.subarray(2)]);
  }
  if (mime === 'image/png') {
    // A tEXt chunk right after IHDR (8-byte signature + 25-byte IHDR chunk); CRC is not checked by decoders we
    // care about here, but compute it anyway so the file stays valid.
    const data = Buffer.concat([Buffer.from('Comment\0', 'latin1'), note]);
    const body = Buffer.concat([Buffer.from('tEXt', 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([bytes.subarray(0, 33), len, body, crc, bytes.subarray(33)]);
  }
  return Buffer.concat([bytes, note]);
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface ImageRouteDeps {
  store: Store;
  allowed: Method[];
  base: string;
  respond(c: Context, status: number, body: string | null, contentType?: string): Response;
}

const XML_CT = 'text/xml;charset=utf-8';

export function productImages(store: Store, productId: number): ImageRec[] {
  return [...store.images.values()].filter((i) => i.productId === productId).sort((a, b) => a.position - b.position);
}

/** Re-derives positions, the cover, `id_default_image` and `associations.images` after a change (Image::add/delete). */
function syncProduct(store: Store, productId: number): void {
  const images = productImages(store, productId);
  images.forEach((img, i) => (img.position = i + 1));
  if (images.length && !images.some((i) => i.cover)) images[0]!.cover = true;
  const product = store.get('products', productId);
  if (!product) return;
  product.fields.id_default_image = String(images.find((i) => i.cover)?.id ?? '');
  product.associations.images = images.map((i) => ({ id: String(i.id) }));
}

export async function serveImages(c: Context, method: Method, segments: string[], deps: ImageRouteDeps): Promise<Response> {
  const { store, base, respond } = deps;
  const [, type, productSeg, imageSeg] = segments;
  const read = method === 'GET' || method === 'HEAD';
  if (!deps.allowed.length) throw PsError.one(401, 26, 'Resource of type "images" is not allowed with this authentication key');
  if (!deps.allowed.includes(method)) throw PsError.one(405, 25, `Method ${method} is not allowed for the resource images with this authentication key`);

  if (type === undefined) {
    if (!read) throw PsError.one(405, 25, `Method ${method} is not allowed for the resource images with this authentication key`);
    const items = IMAGE_TYPES.map((t) => `<${t} xlink:href="${base}images/${t}" get="true" put="false" post="false" patch="false" delete="false" head="true" upload_allowed_mimetypes="${ALLOWED_MIME}"/>\n`).join('');
    return respond(c, 200, `${XML_HEAD}<image_types>\n${items}</image_types>\n${XML_TAIL}`, XML_CT);
  }
  if (type !== 'products') {
    // Category, manufacturer… images exist on the real shop; this simulator only keeps product images.
    throw PsError.one(400, 1, `The simulator serves only product images, not "${type}"`);
  }
  if (productSeg === undefined) {
    if (!read) throw PsError.one(405, 25, `Method ${method} is not allowed for the resource images with this authentication key`);
    const types = PRODUCT_IMAGE_TYPES.map(([id, name]) => `<image_type id="${id}" name="${name}" xlink:href="${base}image_types/${id}"/>\n`).join('');
    const productIds = [...new Set([...store.images.values()].map((i) => i.productId))].sort((a, b) => a - b);
    const images = productIds.map((id) => `<image id="${id}" xlink:href="${base}images/products/${id}"/>\n`).join('');
    return respond(c, 200, `${XML_HEAD}<image_types>\n${types}</image_types>\n<images>\n${images}</images>\n${XML_TAIL}`, XML_CT);
  }

  const productId = /^\d+$/.test(productSeg) ? Number(productSeg) : NaN;
  const product = Number.isFinite(productId) ? store.get('products', productId) : undefined;
  // Approximate wording and code: not recorded.
  if (!product) throw PsError.one(400, 71, `Product #${productSeg} does not exist`);

  if (imageSeg === undefined) {
    if (read) {
      const decl = productImages(store, productId).map((i) => `<declination id="${i.id}" xlink:href="${base}images/products/${productId}/${i.id}"/>\n`).join('');
      return respond(c, 200, `${XML_HEAD}<image id="${productId}">\n${decl}</image>\n${XML_TAIL}`, XML_CT);
    }
    if (method !== 'POST') throw PsError.one(405, 25, `Method ${method} is not allowed for the resource images with this authentication key`);
    return upload(c, productId, deps);
  }

  const image = /^\d+$/.test(imageSeg) ? store.images.get(Number(imageSeg)) : undefined;
  // Approximate wording and code: not recorded.
  if (!image || image.productId !== productId) throw PsError.one(400, 66, `This image id does not exist`);
  if (read) {
    // `/{id_image}/{image_type}` gives a resized copy on the real shop; the simulator serves the stored bytes.
    const payload = method === 'HEAD' ? null : new Uint8Array(image.bytes);
    return new Response(payload, { status: 200, headers: { 'Content-Type': image.mime, 'Content-Length': String(image.bytes.length), 'PSWS-Version': '8.2.1', 'X-Powered-By': 'PrestaShop Webservice' } });
  }
  if (method === 'DELETE') {
    store.images.delete(image.id);
    syncProduct(store, productId);
    // Like other DELETEs: 200, empty body, no Content-Type (recorded 065).
    return respond(c, 200, '');
  }
  throw PsError.one(405, 25, `Method ${method} is not allowed for the resource images with this authentication key`);
}

async function upload(c: Context, productId: number, deps: ImageRouteDeps): Promise<Response> {
  const { store, respond } = deps;
  const type = c.req.header('Content-Type') ?? '';
  const form = type.startsWith('multipart/form-data') ? await c.req.parseBody() : {};
  const file = form.image;
  // Approximate wording; the field name `image` is recorded (085).
  if (!(file instanceof File) || file.size === 0) throw PsError.one(400, 64, 'Please set an "image" parameter with image data for value');
  const bytes = Buffer.from(await file.arrayBuffer());
  const mime = sniffImage(bytes);
  if (!mime) throw PsError.one(400, 73, `This type of image format is not recognized, allowed formats are: ${ALLOWED_MIME}`);
  const id = store.allocateId('images');
  const first = productImages(store, productId).length === 0;
  const rec: ImageRec = { id, productId, position: Number.MAX_SAFE_INTEGER, cover: first, mime, bytes: reencode(bytes, mime) };
  store.images.set(id, rec);
  syncProduct(store, productId);
  const languages = store.languageIds().map((l) => `<language id="${l}" xlink:href="${deps.base}languages/${l}"><![CDATA[]]></language>`).join('');
  const body =
    `${XML_HEAD}<image>\n<id>${cdata(String(id))}</id>\n<id_product>${cdata(String(productId))}</id_product>\n` +
    `<position>${cdata(String(rec.position))}</position>\n<cover>${cdata(rec.cover ? '1' : '')}</cover>\n<legend>${languages}</legend>\n</image>\n` +
    `<content encode="base64">${cdata(rec.bytes.toString('base64'))}</content>\n${XML_TAIL}`;
  // 200, not 201 (recorded 085).
  return respond(c, 200, body, XML_CT);
}

/**
 * The storefront's public path of an original product image, `/img/p/2/4/24.jpg` for image 24 (one folder per
 * digit): what another channel can fetch without the webservice key. The real shop stores `.jpg` whatever came in.
 */
export function publicImagePath(imageId: number): string {
  const digits = String(imageId).split('');
  return `/img/p/${digits.join('/')}/${imageId}.jpg`;
}

export function servePublicImage(c: Context, store: Store): Response {
  const m = /^\/img\/p\/(?:\d\/)+(\d+)\.jpg$/.exec(c.req.path);
  const image = m ? store.images.get(Number(m[1])) : undefined;
  if (!image || publicImagePath(image.id) !== c.req.path) return new Response('Not Found', { status: 404 });
  return new Response(new Uint8Array(image.bytes), { headers: { 'Content-Type': image.mime, 'Content-Length': String(image.bytes.length) } });
}
