import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConnectorResolver } from '../connectors/registry.ts';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';
import { collectSecrets, Secret } from '../sdk/secret.ts';
import { interpolate } from './interpolate.ts';
import { closest, joinPath, type Problem, problemsFromIssues } from './problems.ts';
import { type ConnectionConfig, configSchema, type RawConfig } from './schema.ts';

export interface Connection extends Omit<ConnectionConfig, 'config'> {
  name: string;
  connector: string;
  definition: ConnectorDefinition;
  /** The connection's `config:` block as parsed by the connector's own schema. */
  config: unknown;
}

/** A valid, fully resolved configuration. */
export interface HubConfig extends Omit<RawConfig, 'connections' | 'dataDir'> {
  /** Absolute. */
  dataDir: string;
  connections: Record<string, Connection>;
  /** Where it was read from; undefined when the hub runs on defaults. */
  file: string | undefined;
  /** Raw values of every secret, for the logger's redaction. */
  secrets: Set<string>;
}

export type LoadResult = { ok: true; config: HubConfig } | { ok: false; problems: Problem[] };

export interface LoadOptions {
  /** Path of omnihub.yaml; omit (with no `text`) to run on defaults. */
  file?: string;
  /** The YAML itself, instead of a file (tests). */
  text?: string;
  env?: Readonly<Record<string, string | undefined>>;
  resolver: ConnectorResolver;
}

/**
 * Reads, interpolates and validates omnihub.yaml, including every connection's `config:` block against its
 * connector's schema. Returns every problem found, not only the first, each with its path.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadResult> {
  const env = options.env ?? process.env;
  const problems: Problem[] = [];
  let text = options.text;
  if (text === undefined && options.file) {
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, problems: [{ path: '', message: `cannot read ${options.file}: ${code === 'ENOENT' ? 'file not found' : code}` }] };
    }
  }

  let document: unknown = {};
  if (text !== undefined && text.trim() !== '') {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        problems: doc.errors.map((e) => {
          const pos = e.linePos?.[0];
          const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
          return { path: '', message: `YAML syntax error at ${where}: ${e.message.split('\n')[0]}` };
        }),
      };
    }
    document = doc.toJS() ?? {};
    if (typeof document !== 'object' || Array.isArray(document)) {
      return { ok: false, problems: [{ path: '', message: 'the file must be a mapping of settings (key: value), not a list or a single value' }] };
    }
  }

  const interpolated = interpolate(document, env, problems, [], options.file ? dirname(resolve(options.file)) : process.cwd()) as Record<string, unknown>;
  // A field whose variable is unset is reported once, as that, not again as "must not be empty".
  const unset = new Set(problems.map((p) => p.path));
  const report = (found: Problem[]) => problems.push(...found.filter((p) => !unset.has(p.path)));
  const parsed = configSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) report(problemsFromIssues(parsed.error.issues, configSchema));

  // Connections are checked even when the top level has problems, so one run lists everything.
  const rawConnections = (interpolated.connections ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const connections: Record<string, Connection> = {};
  if (rawConnections && typeof rawConnections === 'object' && !Array.isArray(rawConnections)) {
    for (const [name, raw] of Object.entries(rawConnections)) {
      if (!raw || typeof raw !== 'object' || typeof raw.connector !== 'string' || raw.connector === '') continue;
      const at = ['connections', name];
      let definition: ConnectorDefinition | undefined;
      try {
        definition = await options.resolver.load(raw.connector);
      } catch (err) {
        problems.push({ path: joinPath([...at, 'connector']), message: `cannot load connector "${raw.connector}": ${(err as Error).message}` });
        continue;
      }
      if (!definition) {
        const hint = closest(raw.connector, options.resolver.names());
        const known = options.resolver.names();
        problems.push({
          path: joinPath([...at, 'connector']),
          message: `unknown connector "${raw.connector}"${hint ? ` (did you mean "${hint}"?)` : known.length ? ` (available: ${known.join(', ')})` : ''}`,
        });
        continue;
      }
      const result = definition.config.safeParse(raw.config ?? {}, { reportInput: true });
      if (!result.success) {
        report(problemsFromIssues(result.error.issues, definition.config, [...at, 'config']));
        continue;
      }
      const conn = parsed.success ? parsed.data.connections[name] : undefined;
      if (conn) connections[name] = { ...conn, name, connector: raw.connector, definition, config: result.data };
    }
  }

  problems.push(...crossCheck(interpolated, parsed.success ? parsed.data : undefined));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: dedupe(problems) };

  const data = parsed.data;
  const envDatabase = env.DATABASE_URL ? new Secret(env.DATABASE_URL) : undefined;
  const envRedis = env.REDIS_URL ? new Secret(env.REDIS_URL) : undefined;
  const baseDir = options.file ? dirname(resolve(options.file)) : process.cwd();
  const config: HubConfig = {
    ...data,
    dataDir: resolve(baseDir, data.dataDir),
    database: { ...data.database, url: data.database.url ?? envDatabase },
    queue: { ...data.queue, redisUrl: data.queue.redisUrl ?? envRedis },
    connections,
    file: options.file ? resolve(options.file) : undefined,
    secrets: new Set(),
  };
  config.secrets = collectSecrets(config);
  return { ok: true, config };
}

/**
 * Rules that span several fields. References are checked on the raw document too, so a file with other
 * problems still gets its dangling references reported in the same run.
 */
function crossCheck(raw: Record<string, unknown>, config: RawConfig | undefined): Problem[] {
  const problems: Problem[] = [];
  const rawConnections = raw.connections;
  const names = rawConnections && typeof rawConnections === 'object' ? Object.keys(rawConnections) : [];
  const ownership = raw.ownership;
  if (ownership && typeof ownership === 'object' && !Array.isArray(ownership)) {
    for (const [group, owner] of Object.entries(ownership)) {
      if (typeof owner === 'string' && !names.includes(owner)) {
        const hint = closest(owner, names);
        problems.push({
          path: `ownership.${group}`,
          message: `"${owner}" is not a connection${hint ? ` (did you mean "${hint}"?)` : names.length ? ` (connections: ${names.join(', ')})` : ''}`,
        });
      }
    }
  }
  const rawPromotions = raw.promotions;
  if (Array.isArray(rawPromotions)) {
    rawPromotions.forEach((p: unknown, i) => {
      const channels = (p as { channels?: unknown } | null)?.channels;
      if (!Array.isArray(channels)) return;
      channels.forEach((name: unknown, j) => {
        if (typeof name !== 'string' || names.includes(name)) return;
        const hint = closest(name, names);
        problems.push({ path: `promotions[${i}].channels[${j}]`, message: `"${name}" is not a connection${hint ? ` (did you mean "${hint}"?)` : names.length ? ` (connections: ${names.join(', ')})` : ''}` });
      });
    });
  }
  if (!config) return problems;
  const currencyUsers: Array<[string, string]> = [];
  if (config.defaults.prices.currency) currencyUsers.push(['defaults.prices.currency', config.defaults.prices.currency]);
  for (const [name, c] of Object.entries(config.connections)) {
    if (c.prices?.currency) currencyUsers.push([`connections.${name}.prices.currency`, c.prices.currency]);
  }
  for (const [path, currency] of currencyUsers) {
    if (!config.currencies) {
      problems.push({ path, message: `needs "currencies.base" (the currency canonical prices are kept in)` });
    } else if (currency !== config.currencies.base && config.currencies.rates[currency] === undefined) {
      problems.push({ path, message: `no exchange rate for ${currency}: add currencies.rates.${currency}` });
    }
  }
  return problems;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
