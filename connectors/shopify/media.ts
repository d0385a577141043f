import { createHash } from 'node:crypto';
import type { DesiredProduct, ImageRef } from '../../core/sdk/index.ts';
import type { MediaNode } from './schemas.ts';

/**
 * Product media through productSet's `files` (a list field, so replaced in full). Shopify downloads each new image
 * from its `originalSource` itself, and what it reads back (`originalSource.url`) is its own CDN copy, so the
 * connector recognises its media by a marker in the alt text: `omnihub:<key>`, the key being the image's content
 * hash (or, when the source gave none, a hash of its URL). That makes a write level-triggered and idempotent: a
 * retry after a crash finds the media already there by marker and sends it as `{id}`, never a second copy.
 * Media without a marker (the merchant's own) is always sent back unchanged, so it is never detached.
 */

const MARKER = /omnihub:([0-9a-f]{16})\b/;

export function mediaKey(image: ImageRef): string {
  return (image.sha256 ?? createHash('sha256').update(image.url).digest('hex')).slice(0, 16);
}

export function markerOf(alt: string | null | undefined): string | undefined {
  return alt ? MARKER.exec(alt)?.[1] : undefined;
}

function altFor(title: string, key: string): string {
  const base = title.trim().slice(0, 400);
  return base ? `${base} · omnihub:${key}` : `omnihub:${key}`;
}

/** The desired images of a product, variant images included, one per key, in order. */
function wanted(item: DesiredProduct): Array<{ image: ImageRef; key: string }> {
  const seen = new Set<string>();
  const out: Array<{ image: ImageRef; key: string }> = [];
  for (const image of [...item.images, ...item.variants.flatMap((v) => v.images)]) {
    const key = mediaKey(image);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ image, key });
  }
  return out;
}

/**
 * The `files` input that makes the product show the desired images, or undefined when it already does (nothing
 * to send). Media of ours that failed processing is sent again from its source.
 */
export function filesInput(item: DesiredProduct, title: string, existing: MediaNode[]): Array<Record<string, string>> | undefined {
  const ours = new Map<string, MediaNode>();
  for (const m of existing) {
    const key = markerOf(m.alt);
    if (key && m.status !== 'FAILED' && !ours.has(key)) ours.set(key, m);
  }
  const desired = wanted(item);
  const theirs = existing.filter((m) => !markerOf(m.alt));
  const files: Array<Record<string, string>> = [
    ...desired.map(({ image, key }): Record<string, string> => {
      const m = ours.get(key);
      return m ? { id: m.id } : { originalSource: image.url, alt: altFor(title, key), contentType: 'IMAGE' };
    }),
    ...theirs.map((m) => ({ id: m.id })),
  ];
  const current = existing.map((m) => m.id);
  const unchanged = files.length === current.length && files.every((f, i) => f.id !== undefined && f.id === current[i]);
  return unchanged ? undefined : files;
}

/** What catalog.write reports after the write: each desired image with the media id Shopify gave it. */
export function boundImages(item: DesiredProduct, media: MediaNode[]): ImageRef[] {
  const byKey = new Map(media.flatMap((m) => { const k = markerOf(m.alt); return k ? [[k, m.id] as const] : []; }));
  return wanted(item).flatMap(({ image, key }, position) => {
    const id = byKey.get(key);
    return id ? [{ url: image.url, ...(image.sha256 ? { sha256: image.sha256 } : {}), externalId: id, position }] : [];
  });
}

/** Media as snapshot images: ready images with their CDN URL (processing ones have no image yet). */
export function snapshotImages(media: MediaNode[] | undefined): ImageRef[] {
  return (media ?? []).flatMap((m, position) => (m.image?.url ? [{ url: m.image.url, externalId: m.id, position }] : []));
}
