import type { z } from 'zod';

/**
 * A connector plugin: one default export per package or folder under `connectors/`. The hub loads it by the
 * `connector:` name in `omnihub.yaml` and never imports a connector by name in its own code.
 *
 * `config` is the zod schema of the connection's `config:` block. The hub validates that block with it at load
 * time (`omnihub validate`, `omnihub start`); every problem is reported with its path, e.g.
 * `connections.shop.config.accessToken: required`. Use {@link secret} for credentials so they never reach a log.
 */
export interface ConnectorDefinition<Config extends z.ZodType = z.ZodType> {
  /** Lower-case name, unique among loaded connectors, e.g. `shopify`. */
  name: string;
  /** Semantic version of the plugin, e.g. `1.0.0`. */
  version: string;
  /** Schema of the connection's `config:` block. */
  config: Config;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const SEMVER = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** Declares a connector. Throws at import time when the definition itself is malformed. */
export function defineConnector<Config extends z.ZodType>(def: ConnectorDefinition<Config>): ConnectorDefinition<Config> {
  if (!NAME.test(def.name)) throw new Error(`connector name "${def.name}" must be lower-case letters, digits and dashes`);
  if (!SEMVER.test(def.version)) throw new Error(`connector ${def.name}: version "${def.version}" is not semantic (x.y.z)`);
  return def;
}
