import { Hono } from 'hono';
import { errorsResponse, notFound } from './errors.ts';
import { type ApiEnv, vnd } from './pipeline.ts';
import type { AllegroStore } from './store.ts';

/**
 * Post-purchase issues (disputes and claims), read-only: `GET /sale/issues` and `GET /sale/issues/{issueId}`.
 * A beta resource: the pipeline requires `application/vnd.allegro.beta.v1+json` because the spec says so.
 * Issues come from the seed, already checked against the spec's `PostPurchaseIssue`.
 */
export function issueRoutes(store: AllegroStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/sale/issues', (c) => {
    const q = c.get('query');
    const statuses = q.status as string[] | undefined;
    const checkoutFormId = q['checkoutForm.id'] as string | undefined;
    const offset = (q.offset as number | undefined) ?? 0;
    const limit = (q.limit as number | undefined) ?? 10;
    const issues = store.issues.filter((i) => {
      const state = i.currentState as { status?: string } | undefined;
      const cf = i.checkoutForm as { id?: string } | undefined;
      return (!statuses || statuses.includes(state?.status ?? '')) && (!checkoutFormId || cf?.id === checkoutFormId);
    });
    return vnd(c, { issues: issues.slice(offset, offset + limit) });
  });

  app.get('/sale/issues/:issueId', (c) => {
    const issue = store.issues.find((i) => i.id === c.req.param('issueId'));
    if (!issue) return errorsResponse(c, 404, [notFound(`Issue ${c.req.param('issueId')}`)]);
    return vnd(c, issue);
  });

  return app;
}
