/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Database } from '../../store/database.ts';
import type { DeadLetter } from '../../sync/dead-letters.ts';
import { CsrfField } from '../csrf-field.tsx';
import { timelineHref, Value, when } from './components.tsx';

export interface EntityLink { href: string; label: string }

type EngineData = { connection?: unknown; lane?: unknown; kind?: unknown; id?: unknown; payload?: unknown };

/**
 * The entities a dead letter concerns, as timeline links: an outbound product's SKUs, an order, a conversation,
 * or the SKUs a channel item is bound to. Dead letters are few, so a few look-ups each are fine.
 */
export async function deadLetterLinks(db: Database, letter: DeadLetter): Promise<EntityLink[]> {
  const d = (letter.data ?? {}) as EngineData;
  if (typeof d.connection !== 'string' || typeof d.kind !== 'string' || typeof d.id !== 'string') return [];
  const skuLinks = (skus: string[]) => skus.map((s) => ({ href: timelineHref('sku', s), label: s }));
  if (d.lane === 'outbound' && d.kind === 'product') {
    const { rows } = await db.query<{ sku: string }>('SELECT sku FROM variants WHERE product_id::text = $1 ORDER BY sku', [d.id]);
    return skuLinks(rows.map((r) => r.sku));
  }
  if (d.kind === 'order') {
    const { rows } = await db.query<{ id: string; label: string }>(
      d.lane === 'outbound' ? 'SELECT id, coalesce(number, external_id) AS label FROM orders WHERE id::text = $2' : 'SELECT id, coalesce(number, external_id) AS label FROM orders WHERE connection = $1 AND external_id = $2',
      d.lane === 'outbound' ? [null, d.id] : [d.connection, d.id],
    );
    return rows.map((r) => ({ href: timelineHref('order', r.id), label: `order ${r.label}` }));
  }
  if (d.kind === 'conversation') {
    const thread = (d.payload as { externalThreadId?: unknown } | undefined)?.externalThreadId;
    const { rows } = await db.query<{ id: string }>('SELECT id FROM conversations WHERE connection = $1 AND external_thread_id = $2', [d.connection, typeof thread === 'string' ? thread : d.id]);
    return rows.map((r) => ({ href: timelineHref('conversation', r.id), label: 'conversation' }));
  }
  const { rows } = await db.query<{ sku: string }>(
    `SELECT DISTINCT sku FROM bindings WHERE connection = $1 AND kind = 'variant' AND sku IS NOT NULL AND (external_id = $2 OR product_external_id = $2) ORDER BY sku`,
    [d.connection, d.id],
  );
  return skuLinks(rows.map((r) => r.sku));
}

export function DeadLettersPage(props: { letters: Array<DeadLetter & { links: EntityLink[] }>; replayed: DeadLetter[]; csrfToken: string }) {
  return (
    <>
      <h1>Dead letters</h1>
      <p class="muted">Work that failed for good (a channel refused it, or it failed too often). Fix the cause, then replay: each is replayed once.</p>
      {props.letters.length === 0 ? <p class="muted" id="dead-letters-empty">No open dead letters.</p> : (
        <>
          <form method="post" action="/console/dead-letters/replay-all" class="row">
            <CsrfField token={props.csrfToken} />
            <button type="submit" id="replay-all">Replay all {String(props.letters.length)}</button>
          </form>
          <table id="dead-letters">
            <thead><tr><th>#</th><th>Failed</th><th>Lane / job</th><th>Entity</th><th>Error</th><th>Attempts</th><th></th></tr></thead>
            <tbody>
              {props.letters.map((l) => (
                <tr data-id={String(l.id)}>
                  <td>{String(l.id)}</td>
                  <td>{when(l.failedAt)}</td>
                  <td>{l.queue}<br /><span class="muted">{l.jobName}</span></td>
                  <td>
                    <Value v={summarise(l.data)} />
                    {l.links.length > 0 ? <div>{l.links.map((k) => <><a href={k.href}>{k.label}</a>{' '}</>)}</div> : null}
                  </td>
                  <td class="bad">{l.error}</td>
                  <td class="num">{String(l.attempts)}</td>
                  <td>
                    <form method="post" action={`/console/dead-letters/${l.id}/replay`}>
                      <CsrfField token={props.csrfToken} />
                      <button type="submit" class="replay">Replay</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {props.replayed.length > 0 ? (
        <>
          <h2>Replayed</h2>
          <table id="dead-letters-replayed">
            <thead><tr><th>#</th><th>Failed</th><th>Job</th><th>Error</th><th>Replayed</th></tr></thead>
            <tbody>
              {props.replayed.map((l) => (
                <tr data-id={String(l.id)}><td>{String(l.id)}</td><td>{when(l.failedAt)}</td><td>{l.jobName}</td><td>{l.error}</td><td>{when(l.replayedAt)} <span class="muted">{l.replayJobId ?? ''}</span></td></tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}

/** The identifying part of a dead letter's data (the payload can be a whole channel document). */
function summarise(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  const { payload: _payload, ...rest } = data as Record<string, unknown>;
  return rest;
}
