import { EventEmitter } from 'node:events';
import type { PoolClient } from 'pg';
import type { Database } from '../store/database.ts';

/**
 * Live inbox updates: one LISTEN connection per process on `omnihub_inbox` (notified by triggers on conversations
 * and messages, whichever process wrote), fanned out to every open event stream. Reconnects when the connection
 * drops; streams see a `changed` event with the conversation id.
 */
export class InboxLive extends EventEmitter {
  private client: PoolClient | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly db: Database) {
    super();
    this.setMaxListeners(0);
  }

  /** Starts listening on first use. */
  ensure(): Promise<void> {
    this.starting ??= this.connect().catch(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async connect(): Promise<void> {
    const client = await this.db.connect();
    client.on('notification', (n) => this.emit('changed', n.payload ?? ''));
    client.on('error', () => {
      client.release(true);
      this.client = undefined;
      this.starting = undefined;
      if (!this.closed) setTimeout(() => void this.ensure(), 1_000).unref();
    });
    await client.query('LISTEN omnihub_inbox');
    this.client = client;
  }

  close(): void {
    this.closed = true;
    this.client?.release(true);
    this.client = undefined;
  }
}
