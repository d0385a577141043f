import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { MetaContext } from './context.ts';
import { GraphError, invalidParameter, unknownObject } from './graph-errors.ts';
import type { GraphEnv } from './graph-gate.ts';
import { paginate, selectFields } from './graph-params.ts';
import { messengerSend } from './messenger-send.ts';
import { phoneNumberOr404, whatsappSend } from './whatsapp-send.ts';

/**
 * `POST /{id}/messages` (a WhatsApp phone number id → Cloud API; a Page id or `me` → Messenger Send API),
 * `GET /{waba_id}/message_templates`, `GET /{waba_id}/phone_numbers`, media upload (`POST /{phone_number_id}/media`)
 * and the media node (`GET`/`DELETE /{media_id}`).
 */
const MEDIA_TYPES = /^(image\/(jpeg|png|webp)|audio\/(aac|amr|mpeg|mp4|ogg)|video\/(mp4|3gpp)|text\/plain|application\/(pdf|msword|vnd\.[\w.-]+))$/;
const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export function messagingRoutes(ctx: MetaContext): Hono<GraphEnv> {
  const api = new Hono<GraphEnv>();

  api.post('/:version/:id/messages', async (c) => {
    const id = c.req.param('id');
    const pn = ctx.whatsapp.phoneNumbers.get(id);
    if (pn) return whatsappSend(c, ctx, pn);
    return messengerSend(c, ctx, id);
  });

  api.get('/:version/:wabaId/message_templates', (c) => {
    const waba = ctx.whatsapp.wabas.get(c.req.param('wabaId'));
    if (!waba) throw unknownObject(c.req.param('wabaId'), 'GET');
    const q = new URL(c.req.url).searchParams;
    const list = waba.templates
      .filter((t) => !q.get('name') || t.name === q.get('name'))
      .filter((t) => !q.get('status') || t.status === q.get('status'))
      .filter((t) => !q.get('language') || t.language === q.get('language'))
      .filter((t) => !q.get('category') || t.category === q.get('category'))
      .map((t) => ({ name: t.name, components: t.components, language: t.language, status: t.status, category: t.category, id: t.id }));
    const page = paginate(c, list);
    const fields = q.get('fields') ?? undefined;
    return c.json({ ...page, data: fields ? page.data.map((t) => selectFields(t, fields, [])) : page.data });
  });

  api.get('/:version/:wabaId/phone_numbers', (c) => {
    const wabaId = c.req.param('wabaId');
    if (!ctx.whatsapp.wabas.has(wabaId)) throw unknownObject(wabaId, 'GET');
    const list = [...ctx.whatsapp.phoneNumbers.values()]
      .filter((p) => p.wabaId === wabaId)
      .map((p) => ({ verified_name: p.verifiedName, display_phone_number: p.displayPhoneNumber, id: p.id, quality_rating: 'GREEN', code_verification_status: 'VERIFIED', platform_type: 'CLOUD_API', throughput: { level: p.throughputMps >= 1000 ? 'HIGH' : 'STANDARD' } }));
    return c.json(paginate(c, list));
  });

  api.post('/:version/:id/media', async (c) => {
    const pn = phoneNumberOr404(ctx, c.req.param('id'), 'POST');
    const form = await c.req.parseBody().catch(() => undefined);
    if (!form) throw invalidParameter('Media upload must be multipart/form-data');
    if (form.messaging_product !== 'whatsapp') throw invalidParameter('The parameter messaging_product is required and must be whatsapp');
    const file = form.file;
    if (!(file instanceof File)) throw invalidParameter('The parameter file is required');
    const mime = typeof form.type === 'string' ? form.type : file.type;
    if (!MEDIA_TYPES.test(mime)) throw invalidParameter(`Unsupported media type ${mime}`);
    const bytes = Buffer.from(await file.arrayBuffer());
    if (bytes.length > MAX_MEDIA_BYTES) throw invalidParameter('Media file is too large');
    const id = ctx.whatsapp.newId();
    ctx.whatsapp.media.set(id, {
      id,
      phoneNumberId: pn.id,
      mimeType: mime,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      fileSize: bytes.length,
      bytes,
    });
    return c.json({ id });
  });

  api.onError((err, c) => {
    if (err instanceof GraphError) return ctx.errorResponse(c, err);
    throw err;
  });
  return api;
}
