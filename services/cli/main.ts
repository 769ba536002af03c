import { resolveConfig } from '../config/settings.js';
import { KcostError } from '../errors/kcost-error.js';
import { renderRoleHelp, renderTopHelp } from './help.js';
import type { RoleContext } from './role.js';
import { ROLES } from './roles.js';

export const EXIT_USAGE = 2;

/**
 * `kcost <role> [flags]`: picks the role, resolves its config (flags, then
 * KCOST_* variables, then defaults) and runs it. Resolves to the exit code.
 */
export async function main(
  argv: readonly string[],
  context: Omit<RoleContext, 'positionals'> = {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout(renderTopHelp(ROLES));
    return name === undefined ? EXIT_USAGE : 0;
  }
  const role = ROLES.find((r) => r.name === name);
  if (!role) {
    context.stderr(`kcost: unknown role "${name}". Run kcost --help to list the roles.\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout(renderRoleHelp(role));
    return 0;
  }
  if (!role.run) {
    context.stderr(`kcost ${role.name} is not built yet in this version of kcost.\n`);
    return EXIT_USAGE;
  }
  try {
    const { config, positionals } = resolveConfig(role.settings, { argv: rest, env: context.env });
    return await role.run(config, { ...context, positionals });
  } catch (error) {
    if (error instanceof KcostError && error.code === 'INVALID_CONFIG') {
      context.stderr(`kcost ${role.name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    context.stderr(`kcost ${role.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
