import { createHash } from 'node:crypto';
import { notImplemented, userError, type UserError } from './errors.ts';
import { gid, iso, parseGid, type ProductRec, type ShopStore } from './store.ts';

/**
 * Product media through `productSet(input: { files: [FileSetInput!] })` (2024-10+; the kept 2026-04 schema):
 * `files` is a list field and so **replaced in full** — a file left out is detached from the product (it stays in
 * the shop's Files). An entry is either `{id}` (an existing file, kept or attached) or `{originalSource}` (a new
 * file Shopify downloads by itself, asynchronously: the media is PROCESSING until the download ends, then READY,
 * or FAILED with a mediaError when the source cannot be fetched). `MediaImage.originalSource.url` is Shopify's own
 * CDN copy, never the URL that was sent — a connector that wants to recognise its media must mark it (alt text).
 * Not simulated: VIDEO / EXTERNAL_VIDEO / MODEL_3D, staged uploads, resizing, `fileCreate` / `fileUpdate`.
 */

export interface FileRec {
  id: number;
  alt: string;
  /** The URL the file was created from (what Shopify downloaded). */
  source: string;
  filename: string;
  status: 'UPLOADED' | 'PROCESSING' | 'READY' | 'FAILED';
  mimeType: string | null;
  fileSize: number | null;
  /** SHA-256 of the downloaded bytes (simulator-only, for tests: proves which bytes arrived). */
  sha256: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface FileSetInput {
  id?: string | null;
  originalSource?: string | null;
  alt?: string | null;
  filename?: string | null;
  contentType?: string | null;
  duplicateResolutionMode?: string | null;
  [key: string]: unknown;
}

const FILE_FIELDS = new Set(['id', 'originalSource', 'alt', 'filename', 'contentType', 'duplicateResolutionMode']);
/** Alt text longer than this is refused (approximate: Shopify documents a 512-character limit for media alt). */
const MAX_ALT = 512;

/** Validates `files`; the errors are userErrors of productSet (wording approximate, codes from ProductSetUserErrorCode). */
export function validateFiles(store: ShopStore, files: FileSetInput[]): UserError[] {
  const errors: UserError[] = [];
  files.forEach((f, i) => {
    for (const key of Object.keys(f)) if (!FILE_FIELDS.has(key)) throw notImplemented('FileSetInput', key);
    if (f.contentType && f.contentType !== 'IMAGE') throw notImplemented('FileSetInput.contentType', f.contentType);
    const path = ['input', 'files', String(i)];
    if (f.id) {
      const id = parseGid(f.id, 'MediaImage');
      if (id === undefined || !store.files.has(id)) errors.push(userError([...path, 'id'], `File id ${f.id} does not exist.`, 'NOT_FOUND'));
    } else if (f.originalSource) {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(f.originalSource).protocol);
      } catch {
        ok = false;
      }
      if (!ok) errors.push(userError([...path, 'originalSource'], 'Original source is not a valid URL.', 'INVALID_INPUT'));
    } else {
      errors.push(userError(path, 'Either an id or an originalSource is required for a file.', 'MISSING_FIELD_REQUIRED'));
    }
    if (f.alt && f.alt.length > MAX_ALT) errors.push(userError([...path, 'alt'], `Alt text is too long (maximum is ${MAX_ALT} characters).`, 'INVALID_INPUT'));
  });
  return errors;
}

/** Replaces the product's files (already validated); new files start downloading in the background. */
export function applyFiles(store: ShopStore, p: ProductRec, files: FileSetInput[]): void {
  const ids: number[] = [];
  for (const f of files) {
    if (f.id) {
      const rec = store.files.get(parseGid(f.id, 'MediaImage')!)!;
      if (f.alt !== undefined && f.alt !== null && f.alt !== rec.alt) {
        rec.alt = f.alt;
        rec.updatedAt = store.stamp();
      }
      ids.push(rec.id);
      continue;
    }
    const source = f.originalSource!;
    const t = store.stamp();
    const rec: FileRec = {
      id: store.id(),
      alt: f.alt ?? '',
      source,
      filename: f.filename || decodeURIComponent(new URL(source).pathname.split('/').pop() || 'image'),
      status: 'PROCESSING',
      mimeType: null,
      fileSize: null,
      sha256: null,
      error: null,
      createdAt: t,
      updatedAt: t,
    };
    store.files.set(rec.id, rec);
    ids.push(rec.id);
    const job: Promise<void> = download(store, rec).finally(() => store.pendingDownloads.delete(job));
    store.pendingDownloads.add(job);
  }
  store.productFiles.set(p.id, [...new Set(ids)]);
}

async function download(store: ShopStore, rec: FileRec): Promise<void> {
  try {
    const res = await fetch(rec.source, { signal: AbortSignal.timeout(15_000) });
    const type = res.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    if (!res.ok) throw new Error(`the source answered ${res.status}`);
    if (!type.startsWith('image/')) throw new Error(`the source is ${type || 'untyped'}, not an image`);
    const bytes = Buffer.from(await res.arrayBuffer());
    Object.assign(rec, { status: 'READY', mimeType: type, fileSize: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  } catch (err) {
    Object.assign(rec, { status: 'FAILED', error: `Image could not be processed because ${(err as Error).message}.` });
  }
  rec.updatedAt = store.stamp();
}

export function productFileRecs(store: ShopStore, productId: number): FileRec[] {
  return (store.productFiles.get(productId) ?? []).flatMap((id) => store.files.get(id) ?? []);
}

/** The `MediaImage` view (Media, File and Node at once). */
export function mediaImageView(f: FileRec) {
  const cdn = `https://cdn.shopify.com/s/files/1/0000/0001/files/${encodeURIComponent(f.filename)}?v=${Math.floor(f.createdAt / 1000)}`;
  const image = f.status === 'READY' ? { __typename: 'Image', id: gid('ImageSource', f.id), url: cdn, altText: f.alt || null, width: null, height: null } : null;
  return {
    __typename: 'MediaImage',
    id: gid('MediaImage', f.id),
    alt: f.alt,
    mediaContentType: 'IMAGE',
    status: f.status,
    fileStatus: f.status === 'PROCESSING' ? 'PROCESSING' : f.status,
    mimeType: f.mimeType,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
    image,
    // Shopify's own copy of the original, valid for a short time: not the URL the file was created from.
    originalSource: f.status === 'READY' ? { __typename: 'MediaImageOriginalSource', url: `${cdn}&original=1`, fileSize: f.fileSize } : null,
    preview: { __typename: 'MediaPreviewImage', image, status: f.status },
    mediaErrors: f.error ? [{ __typename: 'MediaError', code: 'UNKNOWN', details: null, message: f.error }] : [],
    mediaWarnings: [],
    fileErrors: f.error ? [{ __typename: 'FileError', code: 'UNKNOWN', details: null, message: f.error }] : [],
  };
}
