import { Hono } from 'hono';
import type { MetaContext } from './context.ts';
import { GraphError, unknownObject } from './graph-errors.ts';
import type { GraphEnv } from './graph-gate.ts';
import { selectFields } from './graph-params.ts';

/**
 * `GET /{id}` for the node kinds a connector reads directly: a media object (its short-lived download URL), a
 * catalogue, a Page, a WhatsApp phone number or business account; `DELETE /{media_id}`. Also serves the media
 * download URL it hands out (`GET /__media/{id}`, authenticated like the rest of Graph).
 */
export function nodeRoutes(ctx: MetaContext): Hono<GraphEnv> {
  const api = new Hono<GraphEnv>();

  api.get('/:version/:id', (c) => {
    const id = c.req.param('id');
    const fields = c.req.query('fields');
    const media = ctx.whatsapp.media.get(id);
    if (media) {
      const origin = new URL(c.req.url).origin;
      return c.json({
        messaging_product: 'whatsapp',
        url: `${origin}/${c.get('version')}/media_download/${media.id}`,
        mime_type: media.mimeType,
        sha256: media.sha256,
        file_size: media.fileSize,
        id: media.id,
      });
    }
    const cat = ctx.catalogs.catalogs.get(id);
    if (cat) {
      ctx.catalogs.processDue(cat);
      return c.json(selectFields({ id: cat.id, name: cat.name, product_count: cat.items.size, vertical: 'commerce' }, fields, ['name']));
    }
    const page = id === 'me' ? ctx.messenger.pageByToken(c.get('token')) : ctx.messenger.pages.get(id);
    if (page) return c.json(selectFields({ id: page.id, name: page.name }, fields, ['name']));
    const pn = ctx.whatsapp.phoneNumbers.get(id);
    if (pn) {
      return c.json(
        selectFields(
          { id: pn.id, display_phone_number: pn.displayPhoneNumber, verified_name: pn.verifiedName, quality_rating: 'GREEN', platform_type: 'CLOUD_API' },
          fields,
          ['display_phone_number', 'verified_name', 'quality_rating'],
        ),
      );
    }
    const waba = ctx.whatsapp.wabas.get(id);
    if (waba) return c.json(selectFields({ id: waba.id, name: 'Sandbox WABA', currency: 'USD', timezone_id: '1' }, fields, ['name']));
    throw unknownObject(id, 'GET');
  });

  api.get('/:version/media_download/:id', (c) => {
    const media = ctx.whatsapp.media.get(c.req.param('id'));
    if (!media) throw unknownObject(c.req.param('id'), 'GET');
    return c.body(new Uint8Array(media.bytes), 200, { 'content-type': media.mimeType });
  });

  api.delete('/:version/:id', (c) => {
    const id = c.req.param('id');
    if (!ctx.whatsapp.media.delete(id)) throw unknownObject(id, 'DELETE');
    return c.json({ success: true });
  });

  api.onError((err, c) => {
    if (err instanceof GraphError) return ctx.errorResponse(c, err);
    throw err;
  });
  return api;
}
