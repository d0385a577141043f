import { z } from 'zod';
import type { ConnectorContext } from '../../core/sdk/index.ts';
import type { WhatsAppConfig } from './config.ts';
import { graph } from './graph.ts';

/**
 * Approved message templates of the WhatsApp Business Account (`GET /{waba_id}/message_templates`), the only
 * thing WhatsApp lets a business send outside the 24 h window. Cached briefly in the connection's checkpoint
 * store (per connection, survives restarts, no process globals): the inbox asks on every closed conversation.
 */
export interface ApprovedTemplate {
  name: string;
  language: string;
  category: string | undefined;
  /** Number of body variables ({{1}}, {{2}}… or named ones) the sender must fill. */
  parameters: number;
}

const templatesAnswer = z.object({
  data: z.array(
    z.looseObject({
      name: z.string().min(1),
      language: z.string().min(1),
      status: z.string(),
      category: z.string().optional(),
      components: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).default([]),
    }),
  ),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

const CACHE_KEY = 'whatsapp.templates';
const MAX_PAGES = 20;

function bodyVariables(components: Array<{ type: string; text?: string | undefined }>): number {
  const body = components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? '';
  return new Set([...body.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1])).size;
}

/** Approved templates, from the cache when it is younger than `templateCacheSeconds`. */
export async function listTemplates(ctx: ConnectorContext<WhatsAppConfig>): Promise<ApprovedTemplate[]> {
  const now = ctx.now().getTime();
  const cached = await ctx.checkpoints.get<{ fetchedAt: number; templates: ApprovedTemplate[] }>(CACHE_KEY);
  if (cached && now - cached.fetchedAt >= 0 && now - cached.fetchedAt < ctx.config.templateCacheSeconds * 1000) return cached.templates;

  const templates: ApprovedTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await graph(ctx, `${ctx.config.wabaId}/message_templates`, templatesAnswer, 'message_templates', {
      searchParams: { fields: 'name,language,status,category,components', status: 'APPROVED', limit: 100, ...(after ? { after } : {}) },
    });
    for (const t of answer.data) {
      if (t.status !== 'APPROVED') continue;
      templates.push({ name: t.name, language: t.language, category: t.category, parameters: bodyVariables(t.components) });
    }
    after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
    if (!after) break;
  }
  await ctx.checkpoints.set(CACHE_KEY, { fetchedAt: now, templates });
  return templates;
}
