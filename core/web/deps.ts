import type { Logger } from '../log/logger.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import type { Database } from '../store/database.ts';
import type { Engine } from '../sync/engine.ts';

/** What the web pages (sign-in, inbox, user management, console) work with. */
export interface WebDeps {
  db: Database;
  log: Logger;
  /** Cookies get `Secure` when the hub is reached over https (`http.publicUrl`). */
  secureCookies: boolean;
  /** The running connections (capabilities, send policies) and the queues replies are sent through. */
  engine: Engine;
  queues: QueueSystem;
}
