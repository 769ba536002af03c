import type { RoleContext } from './role.js';

/** A module holding a role's run code, exported as `run` (e.g. process-run.ts beside process-role.ts). */
export interface RunModule<C> {
  readonly run: (config: C, context: RoleContext) => Promise<number>;
}

/**
 * A role's run() that imports the role's run module when it is called. Role
 * descriptors (name, help, settings) are all loaded at start, for --help and
 * config resolution; their run code and its dependencies (fastify, pg,
 * kafkajs, prom-client, the AWS SDK, parquet...) cost seconds of CPU to load,
 * so `kcost <role>` loads only those of the role it runs.
 */
export function lazyRun<C>(load: () => Promise<RunModule<C>>): (config: C, context: RoleContext) => Promise<number> {
  return async (config, context) => (await load()).run(config, context);
}
