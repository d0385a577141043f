import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';

/**
 * Finds connector plugins by the `connector:` value in config, so core never imports a connector by name:
 * - a built-in: a folder `connectors/<name>/` of this repository with an `index.ts` (or built `index.js`);
 * - a path: `./plugins/my-erp` (relative to the config file) — a folder with an index, or a module file;
 * - an npm package: `omnihub-connector-foo` or `@acme/omnihub-foo`.
 */
export interface ConnectorResolver {
  /** Built-in names, for "did you mean" hints. */
  names(): string[];
  /** The plugin's definition, or undefined when nothing by that name exists. Throws when it exists but is broken. */
  load(spec: string): Promise<ConnectorDefinition | undefined>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INDEX_FILES = ['index.ts', 'index.js'];

function indexIn(folder: string): string | undefined {
  for (const f of INDEX_FILES) if (existsSync(join(folder, f))) return join(folder, f);
  return undefined;
}

async function importDefinition(specifier: string, label: string): Promise<ConnectorDefinition> {
  const mod = (await import(specifier)) as { default?: unknown };
  const def = mod.default as Partial<ConnectorDefinition> | undefined;
  if (!def || typeof def !== 'object' || typeof def.name !== 'string' || !def.config) {
    throw new Error(`${label} does not default-export a connector made with defineConnector()`);
  }
  return def as ConnectorDefinition;
}

export function fileResolver(options: { connectorsDir?: string; configDir?: string } = {}): ConnectorResolver {
  const connectorsDir = options.connectorsDir ?? join(REPO_ROOT, 'connectors');
  const configDir = options.configDir ?? process.cwd();
  return {
    names() {
      if (!existsSync(connectorsDir)) return [];
      return readdirSync(connectorsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && indexIn(join(connectorsDir, d.name)))
        .map((d) => d.name)
        .sort();
    },
    async load(spec) {
      if (spec.startsWith('.') || isAbsolute(spec)) {
        const target = resolve(configDir, spec);
        const file = existsSync(target) && !target.endsWith('.ts') && !target.endsWith('.js') ? indexIn(target) : target;
        if (!file || !existsSync(file)) return undefined;
        return importDefinition(pathToFileURL(file).href, `connector plugin ${spec}`);
      }
      if (/^[a-z][a-z0-9-]*$/.test(spec)) {
        const builtin = indexIn(join(connectorsDir, spec));
        if (builtin) return importDefinition(pathToFileURL(builtin).href, `connector ${spec}`);
      }
      try {
        return await importDefinition(spec, `connector package ${spec}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(spec)) {
          return undefined;
        }
        throw err;
      }
    },
  };
}

/** A resolver over definitions held in memory (tests, embedding omnihub in another program). */
export function memoryResolver(defs: ConnectorDefinition[]): ConnectorResolver {
  const byName = new Map(defs.map((d) => [d.name, d]));
  return {
    names: () => [...byName.keys()].sort(),
    load: async (spec) => byName.get(spec),
  };
}
