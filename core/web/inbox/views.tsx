/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { CannedResponse } from '../../inbox/actions.ts';
import type { MergeRecord, MergeSuggestion } from '../../inbox/identity.ts';
import type { ConversationDetail, ConversationRow, CustomerCard, EventRow, ListFilters, MessageRow } from '../../inbox/queries.ts';
import type { ChannelPolicy } from '../../inbox/replies.ts';
import { CsrfField } from '../csrf-field.tsx';

// Every value from a channel or a customer goes through hono/jsx, which escapes it; no raw HTML anywhere here.

const time = (d: Date | null) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 16) : '—');

/** A channel's badge from its connector's name (whatever connectors exist; none is special-cased). */
export function ChannelIcon(props: { connection: string; connector: string | undefined }) {
  const name = props.connector ?? props.connection;
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span class="badge channel" title={`${props.connection} (${name})`} style={`background:hsl(${hue} 70% 92%);border-color:hsl(${hue} 50% 70%)`}>
      {name.slice(0, 2).toUpperCase()} {props.connection}
    </span>
  );
}

export const LIVE_SCRIPT = `
(() => {
  const conv = document.body.dataset.conversation;
  let timer;
  const es = new EventSource('/inbox/events');
  es.addEventListener('changed', (e) => {
    if (conv && e.data !== conv) return;
    const busy = [...document.querySelectorAll('textarea,input[type=text],input[type=search]')].some((el) => el.value && el === document.activeElement || (el.tagName === 'TEXTAREA' && el.value));
    if (busy) { document.getElementById('live-note')?.removeAttribute('hidden'); return; }
    clearTimeout(timer);
    timer = setTimeout(() => location.reload(), 300);
  });
})();`;

export function ListView(props: {
  rows: ConversationRow[]; filters: ListFilters; channels: string[]; users: Array<{ id: string; name: string }>; me: string;
  connectorOf: (c: string) => string | undefined;
}) {
  const f = props.filters;
  return (
    <div>
      <h1>Inbox</h1>
      <form method="get" action="/inbox" class="row card" id="filters">
        <input type="search" name="q" value={f.q ?? ''} placeholder="Search messages" aria-label="search messages" />
        <select name="channel" aria-label="channel">
          <option value="">all channels</option>
          {props.channels.map((c) => <option value={c} selected={f.channel === c}>{c}</option>)}
        </select>
        <select name="status" aria-label="status">
          <option value="">open and pending</option>
          {(['open', 'pending', 'resolved', 'all'] as const).map((s) => <option value={s} selected={f.status === s}>{s}</option>)}
        </select>
        <select name="assignee" aria-label="assignee">
          <option value="">anyone</option>
          <option value={props.me} selected={f.assignee === props.me}>me</option>
          <option value="none" selected={f.assignee === 'none'}>unassigned</option>
          {props.users.filter((u) => u.id !== props.me).map((u) => <option value={u.id} selected={f.assignee === u.id}>{u.name}</option>)}
        </select>
        <button type="submit">Filter</button>
        <span id="live-note" class="muted" hidden>New activity: reload to see it.</span>
      </form>
      {props.rows.length === 0 ? <p class="muted" id="empty">No conversations match.</p> : (
        <table id="conversations">
          <tr><th>channel</th><th>customer</th><th>last message</th><th>status</th><th>assignee</th><th>activity</th></tr>
          {props.rows.map((r) => (
            <tr class="conversation" data-id={r.id}>
              <td><ChannelIcon connection={r.connection} connector={props.connectorOf(r.connection)} /></td>
              <td>
                <a href={`/inbox/c/${r.id}`} class="customer">{r.customer}</a>
                {r.unread_count > 0 ? <> <span class="badge unread" title="unread messages">{r.unread_count}</span></> : null}
                {r.subject ? <div class="muted">{r.subject}</div> : null}
              </td>
              <td class="last">{r.last_direction === 'out' ? <span class="muted">You: </span> : null}{(r.last_body ?? '').slice(0, 140)}</td>
              <td><span class={`badge ${r.status}`}>{r.status}</span></td>
              <td>{r.assignee_name ?? <span class="muted">—</span>}</td>
              <td>{time(r.last_message_at)}</td>
            </tr>
          ))}
        </table>
      )}
      {props.rows.length >= 50 && props.rows.at(-1)?.last_message_at ? (
        <p><a href={`/inbox?${new URLSearchParams({ ...(f.q ? { q: f.q } : {}), ...(f.channel ? { channel: f.channel } : {}), ...(f.status ? { status: f.status } : {}), ...(f.assignee ? { assignee: f.assignee } : {}), before: new Date(props.rows.at(-1)!.last_message_at!).toISOString() })}`}>Older conversations →</a></p>
      ) : null}
    </div>
  );
}

function Delivery(props: { m: MessageRow; csrf: string; convId: string }) {
  const { m } = props;
  if (m.direction !== 'out') return null;
  const s = m.delivery_status ?? 'pending';
  return (
    <div class={`delivery ${s === 'failed' ? 'bad' : 'muted'}`} data-status={s}>
      {s === 'pending' ? (m.failure_reason ? `sending… (${m.failure_reason})` : 'sending…') : s === 'failed' ? `failed: ${m.failure_reason ?? 'no reason given'}` : s}
      {m.send_options?.template ? ` · template ${m.send_options.template.name}` : null}
      {m.send_options?.tag ? ` · tag ${m.send_options.tag}` : null}
      {s === 'failed' ? (
        <form method="post" action={`/inbox/c/${props.convId}/messages/${m.id}/retry`} class="inline">
          <CsrfField token={props.csrf} /> <button type="submit" class="retry">Retry</button>
        </form>
      ) : null}
    </div>
  );
}

export function ConversationView(props: {
  conv: ConversationDetail; connector: string | undefined; messages: MessageRow[]; events: EventRow[]; card: CustomerCard;
  policy: ChannelPolicy; canned: CannedResponse[]; users: Array<{ id: string; name: string }>; csrf: string;
  suggestions: MergeSuggestion[]; history: MergeRecord[]; notice?: string | undefined;
}) {
  const { conv, csrf } = props;
  const items: Array<{ at: Date; node: unknown }> = [
    ...props.messages.map((m) => ({
      at: new Date(m.sent_at ?? m.created_at),
      node: (
        <div class={`msg ${m.direction}`} data-direction={m.direction} data-id={m.id}>
          <div class="meta muted">{m.direction === 'note' ? `Internal note by ${m.author_name ?? m.author ?? '?'}` : m.direction === 'in' ? (m.author ?? conv.customer_name) : (m.author_name ?? m.author ?? 'us')} · {time(m.sent_at ?? m.created_at)}</div>
          <div class="body">{m.body}</div>
          {m.attachments.length ? (
            <ul class="attachments">{m.attachments.map((a) => <li>{a.url && /^https?:\/\//.test(a.url) ? <a href={a.url} rel="noopener noreferrer" target="_blank">{a.name ?? a.kind ?? 'attachment'}</a> : (a.name ?? a.kind ?? 'attachment')}</li>)}</ul>
          ) : null}
          <Delivery m={m} csrf={csrf} convId={conv.id} />
        </div>
      ),
    })),
    ...props.events.map((e) => ({
      at: new Date(e.at),
      node: <div class="event muted">{e.kind === 'assigned' ? `${e.actor} assigned this to ${e.details.toName ?? 'nobody'}` : `${e.actor} marked this ${e.details.status}`} · {time(e.at)}</div>,
    })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  const p = props.policy;
  return (
    <div class="conversation-page">
      <p><a href="/inbox">← Inbox</a></p>
      <h1><ChannelIcon connection={conv.connection} connector={props.connector} /> {conv.customer_name}{conv.subject ? ` — ${conv.subject}` : ''}</h1>
      {props.notice ? <p class="notice" id="notice">{props.notice}</p> : null}
      <div class="layout-2">
        <section>
          <div class="row card" id="actions">
            <form method="post" action={`/inbox/c/${conv.id}/status`} class="row">
              <CsrfField token={csrf} />
              <span>Status: <span class={`badge ${conv.status}`} id="status">{conv.status}</span></span>
              {(['open', 'pending', 'resolved'] as const).filter((s) => s !== conv.status).map((s) => <button type="submit" name="status" value={s}>{s === 'resolved' ? 'Resolve' : s === 'open' ? 'Reopen' : 'Mark pending'}</button>)}
            </form>
            <form method="post" action={`/inbox/c/${conv.id}/assign`} class="row">
              <CsrfField token={csrf} />
              <select name="assignee" aria-label="assignee" id="assignee">
                <option value="">nobody</option>
                {props.users.map((u) => <option value={u.id} selected={conv.assignee_id === u.id}>{u.name}</option>)}
              </select>
              <button type="submit">Assign</button>
            </form>
          </div>
          <div id="thread">{items.map((i) => i.node)}</div>

          <form method="post" action={`/inbox/c/${conv.id}/reply`} class="card" id="composer">
            <CsrfField token={csrf} />
            {!p.canSend ? <p class="notice bad" id="policy">{p.reason}</p> : !p.allowed ? (
              <p class="notice warn" id="policy">{p.reason ?? 'The channel does not allow a free-form reply now.'} {p.options?.length ? 'Choose one of the options below to reply anyway.' : ''}</p>
            ) : p.reason ? <p class="notice" id="policy">{p.reason}</p> : null}
            {p.canSend ? (
              <>
                {p.options?.length ? (
                  <>
                    <label for="send-option">Send as</label>
                    <select name="option" id="send-option">
                      {p.allowed ? <option value="">a normal reply</option> : null}
                      {p.options.map((o) => (
                        <option value={o.kind === 'template' ? `template|${o.name}|${o.language ?? ''}` : `tag|${o.name}`}>
                          {o.kind === 'template' ? `template “${o.name}”${o.language ? ` (${o.language})` : ''}${o.parameters ? `, ${o.parameters} parameter(s): one per line below` : ''}` : `tag ${o.name}`}
                        </option>
                      ))}
                    </select>
                  </>
                ) : null}
                {props.canned.length ? (
                  <>
                    <label for="canned">Canned response</label>
                    <select id="canned" onchange="if(this.value){const t=document.getElementById('reply-text');t.value=this.value;}">
                      <option value="">—</option>
                      {props.canned.map((r) => <option value={r.body}>{r.title}</option>)}
                    </select>
                  </>
                ) : null}
                <label for="reply-text">Reply</label>
                <textarea id="reply-text" name="text" required={p.allowed}></textarea>
                <p><button class="primary" type="submit" id="send" disabled={!p.allowed && !p.options?.length}>Send</button></p>
              </>
            ) : null}
          </form>

          <form method="post" action={`/inbox/c/${conv.id}/note`} class="card" id="note-form">
            <CsrfField token={csrf} />
            <label for="note-text">Internal note (never sent to the customer)</label>
            <textarea id="note-text" name="text" required></textarea>
            <p><button type="submit">Add note</button></p>
          </form>

          <details class="card"><summary>Save a canned response</summary>
            <form method="post" action="/inbox/canned">
              <CsrfField token={csrf} />
              <input type="hidden" name="back" value={`/inbox/c/${conv.id}`} />
              <label for="canned-title">Title</label><input id="canned-title" name="title" required />
              <label for="canned-body">Text</label><textarea id="canned-body" name="body" required></textarea>
              <p><button type="submit">Save</button></p>
            </form>
          </details>
        </section>

        <aside id="customer-card">
          <div class="card">
            <h2>Customer</h2>
            <ul id="identities">
              {props.card.identities.map((i) => (
                <li data-identity={i.id}>
                  <strong>{i.connection}</strong>: {i.display_name ?? i.external_id}
                  {i.email ? <div class="muted">{i.email}{i.verified ? ' ✓' : ''}</div> : null}
                  {i.phone ? <div class="muted">{i.phone}{i.verified ? ' ✓' : ''}</div> : null}
                  {i.linked_by ? <div class="muted">linked by {i.linked_by}</div> : null}
                  {props.card.identities.length > 1 ? (
                    <form method="post" action={`/inbox/c/${conv.id}/identities/${i.id}/unmerge`} class="inline">
                      <CsrfField token={csrf} /><button type="submit" class="link">Un-merge</button>
                    </form>
                  ) : null}
                </li>
              ))}
            </ul>
            {props.suggestions.length ? (
              <>
                <h2>Maybe the same person</h2>
                <ul id="suggestions">
                  {props.suggestions.map((s) => (
                    <li>
                      {s.connection}: {s.name} <span class="muted">({s.reason})</span>
                      <form method="post" action={`/inbox/c/${conv.id}/identities/${conv.identity_id}/merge`} class="inline">
                        <CsrfField token={csrf} /><input type="hidden" name="into" value={s.identityId} />
                        <button type="submit" class="link">Merge</button>
                      </form>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {props.history.length ? (
              <details><summary>Merge history</summary>
                <ul id="merge-history">{props.history.map((h) => <li>{time(h.at)} {h.action} {h.identity} ({h.connection ?? '?'}) by {h.actor}, {h.reason}</li>)}</ul>
              </details>
            ) : null}
          </div>
          {props.card.product ? (
            <div class="card" id="product"><h2>About</h2>{props.card.product.title ?? ''} <span class="muted">{props.card.product.sku}</span></div>
          ) : null}
          <div class="card">
            <h2>Orders</h2>
            {props.card.orders.length === 0 ? <p class="muted">No orders found for this customer.</p> : (
              <ul id="orders">
                {props.card.orders.map((o) => (
                  <li>
                    <strong>{o.connection}</strong> {o.number ?? o.external_id} · {o.status} · {time(o.placed_at)}
                    {o.total ? ` · ${Number(o.total).toFixed(2)} ${o.currency ?? ''}` : ''}
                    <ul>{o.lines.map((l) => <li>{l.quantity} × {l.title ?? l.sku ?? '?'} {l.sku ? <span class="muted">{l.sku}</span> : null}</li>)}</ul>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </aside>
      </div>
    </div>
  );
}

export const INBOX_STYLE = `.layout-2{display:grid;grid-template-columns:minmax(0,2fr) minmax(16rem,1fr);gap:1rem}
#thread{display:flex;flex-direction:column;gap:.5rem;margin:.75rem 0}.msg{border:1px solid var(--line);border-radius:8px;padding:.5rem .75rem;max-width:80%}
.msg.in{align-self:flex-start;background:#fff}.msg.out{align-self:flex-end;background:#ddf4ff}.msg.note{align-self:center;background:#fff8c5;max-width:90%}
.msg .body{white-space:pre-wrap;word-break:break-word}.event{align-self:center;font-size:12px}.delivery{font-size:12px;text-align:right}
.attachments{margin:.25rem 0 0;padding-left:1rem}#conversations td.last{max-width:28rem;overflow:hidden;text-overflow:ellipsis}
#customer-card ul{padding-left:1rem}`;
