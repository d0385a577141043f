/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { addNote, assign, cannedResponses, markRead, saveCannedResponse, setStatus } from '../../inbox/actions.ts';
import { mergeHistory, mergeIdentity, mergeSuggestions, unmergeIdentity } from '../../inbox/identity.ts';
import { InboxLive } from '../../inbox/live.ts';
import { conversationById, conversationChannels, customerCard, listConversations, listFilters, STATUSES, thread } from '../../inbox/queries.ts';
import { channelPolicy, offered, queueReply, retryReply, type SendOptions } from '../../inbox/replies.ts';
import type { Database } from '../../store/database.ts';
import type { WebEnv } from '../auth/guard.ts';
import type { WebDeps } from '../deps.ts';
import { Layout, renderPage } from '../layout.tsx';
import { ConversationView, INBOX_STYLE, ListView, LIVE_SCRIPT } from './views.tsx';

type Ctx = Context<WebEnv>;
const lives = new WeakMap<Database, InboxLive>();
const uuid = z.uuid();

async function activeUsers(db: Database): Promise<Array<{ id: string; name: string }>> {
  return (await db.query<{ id: string; name: string }>('SELECT id, name FROM web_users WHERE NOT disabled ORDER BY name')).rows;
}

const formText = async (c: Ctx): Promise<Record<string, string>> =>
  Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => typeof v === 'string')) as Record<string, string>;

/** `template|name|language` or `tag|name` from the composer's select; the template's parameters are the text's lines. */
function parseOption(option: string | undefined, text: string): SendOptions {
  if (!option) return {};
  const [kind, name, language] = option.split('|');
  if (kind === 'template' && name) return { template: { name, language: language || 'en', parameters: text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) } };
  if (kind === 'tag' && name) return { tag: name };
  return {};
}

/** The unified inbox: conversation list, conversation view, replies, notes, assignment, status, identity merges. */
export function inboxRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const connectorOf = (name: string) => deps.engine.connection(name)?.def.name;
  const actor = (c: Ctx) => c.get('user');
  const page = (c: Ctx, title: string, body: unknown, conversation?: string) =>
    c.html(
      renderPage(
        <Layout title={title} user={c.get('user')} csrfToken={c.get('csrfToken')} active="inbox" head={<><style>{INBOX_STYLE}</style><script>{LIVE_SCRIPT}</script></>}>
          {body as never}
        </Layout>,
      ).replace('<body>', conversation ? `<body data-conversation="${conversation}">` : '<body>'),
    );

  app.get('/', async (c) => {
    const raw = listFilters.parse(c.req.query());
    const me = actor(c).id;
    const filters = { ...raw, ...(raw.assignee === 'me' ? { assignee: me } : {}) };
    // Default: what needs an answer (open and pending); `all` shows resolved too.
    const rows = await listConversations(deps.db, filters.status ? filters : { ...filters, unresolved: true });
    const [channels, users] = await Promise.all([conversationChannels(deps.db), activeUsers(deps.db)]);
    return page(c, 'Inbox', <ListView rows={rows} filters={filters} channels={channels} users={users} me={me} connectorOf={connectorOf} />);
  });

  app.get('/events', async (c) => {
    let live = lives.get(deps.db);
    if (!live) lives.set(deps.db, (live = new InboxLive(deps.db)));
    await live.ensure();
    const source = live;
    return streamSSE(c, async (stream) => {
      const onChange = (id: string) => void stream.writeSSE({ event: 'changed', data: id }).catch(() => undefined);
      source.on('changed', onChange);
      stream.onAbort(() => {
        source.off('changed', onChange);
      });
      // Keep-alive comments so proxies keep the stream open; the loop ends when the client goes.
      while (!stream.aborted) {
        await stream.writeSSE({ event: 'ping', data: '' }).catch(() => undefined);
        await stream.sleep(20_000);
      }
      source.off('changed', onChange);
    });
  });

  const load = async (c: Ctx) => {
    const id = c.req.param('id') ?? '';
    return uuid.safeParse(id).success ? conversationById(deps.db, id) : undefined;
  };
  const notFound = (c: Ctx) => c.html(renderPage(<Layout title="Not found" user={c.get('user')} csrfToken={c.get('csrfToken')} active="inbox"><h1>No such conversation</h1><p><a href="/inbox">Back to the inbox</a></p></Layout>), 404);
  const back = (c: Ctx, id: string, notice?: string) => c.redirect(`/inbox/c/${id}${notice ? `?notice=${encodeURIComponent(notice)}` : ''}`, 303);

  app.get('/c/:id', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    await markRead(deps.db, conv.id);
    const [{ messages, events }, card, policy, canned, users, suggestions] = await Promise.all([
      thread(deps.db, conv.id),
      customerCard(deps.db, conv),
      channelPolicy(deps.engine, conv),
      cannedResponses(deps.db),
      activeUsers(deps.db),
      conv.identity_id ? mergeSuggestions(deps.db, conv.identity_id) : Promise.resolve([]),
    ]);
    const history = await mergeHistory(deps.db, conv.customer_id, card.identities.map((i) => i.id));
    return page(
      c,
      conv.customer_name,
      <ConversationView conv={conv} connector={connectorOf(conv.connection)} messages={messages} events={events} card={card} policy={policy}
        canned={canned} users={users} csrf={c.get('csrfToken')} suggestions={suggestions} history={history} notice={c.req.query('notice')?.slice(0, 300)} />,
      conv.id,
    );
  });

  app.post('/c/:id/reply', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const body = await formText(c);
    const text = (body['text'] ?? '').trim();
    const options = parseOption(body['option'], text);
    const policy = await channelPolicy(deps.engine, conv);
    if (!policy.canSend) return back(c, conv.id, `Not sent: ${policy.reason}`);
    if (!policy.allowed && !offered(policy, options)) return back(c, conv.id, `Not sent: ${policy.reason ?? 'the channel does not allow a reply now'}. Choose one of the offered options.`);
    if (!text && !options.template) return back(c, conv.id, 'Write a reply first.');
    await queueReply(deps, conv.id, { text: options.template && !text ? `[template ${options.template.name}]` : text, options }, actor(c));
    return back(c, conv.id);
  });

  app.post('/c/:id/messages/:mid/retry', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const mid = c.req.param('mid');
    const ok = uuid.safeParse(mid).success && (await retryReply(deps, mid));
    return back(c, conv.id, ok ? 'Sending again.' : 'Only a failed reply can be retried.');
  });

  app.post('/c/:id/note', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const text = ((await formText(c))['text'] ?? '').trim();
    if (text) await addNote(deps.db, conv.id, text, actor(c));
    return back(c, conv.id);
  });

  app.post('/c/:id/assign', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const to = (await formText(c))['assignee'] ?? '';
    if (to && !uuid.safeParse(to).success) return back(c, conv.id, 'Unknown user.');
    await assign(deps.db, conv.id, to || null, actor(c));
    return back(c, conv.id);
  });

  app.post('/c/:id/status', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const status = z.enum(STATUSES).safeParse((await formText(c))['status']);
    if (!status.success) return back(c, conv.id, 'Unknown status.');
    await setStatus(deps.db, conv.id, status.data, actor(c));
    return back(c, conv.id);
  });

  app.post('/c/:id/identities/:iid/merge', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const into = (await formText(c))['into'] ?? '';
    const iid = c.req.param('iid');
    if (!uuid.safeParse(into).success || !uuid.safeParse(iid).success) return back(c, conv.id, 'Unknown identity.');
    await mergeIdentity(deps.db, iid, into, actor(c));
    return back(c, conv.id, 'Merged.');
  });

  app.post('/c/:id/identities/:iid/unmerge', async (c) => {
    const conv = await load(c);
    if (!conv) return notFound(c);
    const iid = c.req.param('iid');
    if (!uuid.safeParse(iid).success) return back(c, conv.id, 'Unknown identity.');
    await unmergeIdentity(deps.db, iid, actor(c));
    return back(c, conv.id, 'Un-merged: that identity is a customer of its own again.');
  });

  app.post('/canned', async (c) => {
    const body = await formText(c);
    const title = (body['title'] ?? '').trim().slice(0, 200);
    const text = (body['body'] ?? '').trim();
    if (title && text) await saveCannedResponse(deps.db, title, text, actor(c));
    const backTo = /^\/inbox(\/c\/[0-9a-f-]{36})?$/.test(body['back'] ?? '') ? body['back']! : '/inbox';
    return c.redirect(backTo, 303);
  });

  return app;
}
