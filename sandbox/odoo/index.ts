import { Hono } from 'hono';
import { z } from 'zod';
import { buildSimulator, type Simulator } from '../common/simulator.ts';
import { adminRoutes } from './admin.ts';
import { Auth } from './auth.ts';
import type { ServerContext } from './context.ts';
import { buildRegistry } from './models.ts';
import { unlinkHooks } from './orm.ts';
import { json2Routes } from './routes-json2.ts';
import { jsonRpcRoutes } from './routes-jsonrpc.ts';
import { versionRoutes } from './routes-version.ts';
import { checkUnlinkOrders } from './sale.ts';
import { loadBase, loadSeed, odooSeedSchema } from './seed.ts';
import { Db, type Env } from './store.ts';

export { odooSeedSchema, demoSeed, type OdooSeed } from './seed.ts';

/**
 * Odoo external API simulator: JSON-RPC (`/jsonrpc`, Odoo ≤18 and still in 19), JSON-2 (`/json/2/<model>/<method>`,
 * 19+), `GET /web/version`, over one in-memory ORM with the product, stock, pricelist, sale and partner models.
 */
export const odooOptionsSchema = z.object({
  /** Server version as `/web/version` reports it: "17.0", "18.0", "19.0", "saas~18.3"… JSON-2 exists from 19. */
  serverVersion: z.string().regex(/^(saas~)?\d+\.\d+$/).default('19.0'),
  database: z.string().min(1).default('mycompany'),
  /** The integration user: its uid, login, password and API key (the documentation's example key by default). */
  uid: z.number().int().positive().default(2),
  login: z.string().min(1).default('admin'),
  password: z.string().min(1).default('admin'),
  apiKey: z.string().min(1).default('6578616d706c65206a736f6e20617069206b6579'),
  /** Company currency: the default pricelist's. */
  currency: z.enum(['EUR', 'USD', 'PLN']).default('EUR'),
  /**
   * Odoo documents no request rate limit for the external API; the one limit it enforces is the login cooldown
   * (5 failed logins → 60 s). `rateLimitScale` divides that cooldown (10 = ten times shorter).
   */
  rateLimitScale: z.number().positive().default(1),
  loginCooldownAfter: z.number().int().positive().default(5),
  loginCooldownSeconds: z.number().positive().default(60),
  /** Loaded at start and after every reset. */
  seed: odooSeedSchema.optional(),
  /** Injectable clock (ms since epoch) so tests control `write_date` without sleeping. */
  clock: z.custom<() => number>((v) => typeof v === 'function').optional(),
});
export type OdooOptions = z.input<typeof odooOptionsSchema>;

export interface OdooSimulator extends Simulator {
  /** Direct access for tests: the database and the server context. */
  server: ServerContext;
}

export function createOdooSimulator(options: OdooOptions = {}): OdooSimulator {
  const o = odooOptionsSchema.parse(options);
  const [, majorStr, minorStr] = /^(?:saas~)?(\d+)\.(\d+)$/.exec(o.serverVersion)!;
  const major = Number(majorStr);
  const minor = Number(minorStr);
  const clockState = { offsetMs: 0, base: o.clock ?? Date.now };
  const clock = () => clockState.base() + clockState.offsetMs;
  const auth = new Auth(clock, o.loginCooldownAfter, (o.loginCooldownSeconds * 1000) / o.rateLimitScale);
  const registry = buildRegistry(major);

  const server: ServerContext = {
    db: new Db(registry, clock, major),
    auth,
    database: o.database,
    version: o.serverVersion,
    // SaaS releases report e.g. ('saas~18', 3, 0, 'final', 0, '').
    versionInfo: [o.serverVersion.startsWith('saas~') ? `saas~${major}` : major, minor, 0, 'final', 0, ''],
    major,
  };

  unlinkHooks['sale.order'] = (_env, rows) => checkUnlinkOrders(rows);

  const env = (): Env => ({ db: server.db, uid: o.uid, context: {} });
  const fresh = () => {
    server.db = new Db(registry, clock, major);
    auth.clear();
    loadBase(env(), auth, o);
    if (o.seed) loadSeed(env(), auth, o.seed);
  };
  fresh();

  const api = new Hono();
  api.route('/', versionRoutes(server));
  api.route('/', jsonRpcRoutes(server));
  api.route('/', json2Routes(server));

  const sim = buildSimulator({
    name: 'odoo',
    api,
    seed: (doc) => loadSeed(env(), auth, doc),
    state: () => ({ serverVersion: o.serverVersion, database: o.database, now: server.db.now(), records: server.db.dump() }),
    reset: () => {
      clockState.offsetMs = 0;
      fresh();
    },
    admin: adminRoutes(server, clockState),
  });
  return { ...sim, server };
}
