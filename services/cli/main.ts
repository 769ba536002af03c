// First, before anything can load kafkajs: it swaps two kafkajs producer modules in the require cache,
// which kafkajs takes when they first load. The roles load kafkajs later, with their run code.
import '../kafka/kafkajs-fast-paths.js';
import { resolveConfig } from '../config/settings.js';
import { KcostError } from '../errors/kcost-error.js';
import { renderRoleHelp, renderTopHelp } from './help.js';
import type { Role, RoleContext } from './role.js';
// Every role's descriptor (help and settings); a role's run code loads only when it runs (lazy-run.ts).
import { ROLES } from './roles.js';
import { expandShortFlags } from './short-flags.js';
import { kcostVersion } from './package-root.js';

export const EXIT_USAGE = 2;

/**
 * `kcost <role> [flags]`: picks the role, resolves its config (flags, then
 * KCOST_* variables, then defaults) and runs it. Resolves to the exit code.
 */
export async function main(
  argv: readonly string[],
  context: Omit<RoleContext, 'positionals' | 'runRole'> = {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  const [name, ...rest] = [...argv];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout(renderTopHelp(ROLES));
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    context.stdout(`kcost ${kcostVersion()}\n`);
    return 0;
  }
  const top = ROLES.find((r) => r.name === name);
  if (!top) {
    context.stderr(`kcost: unknown role "${name}". Run kcost --help to list the roles.\n`);
    return EXIT_USAGE;
  }
  let role: Role = top;
  let parent: Role | undefined;
  if (top.subcommands) {
    const [sub] = rest;
    const found = top.subcommands.find((r) => r.name === sub);
    if (!found) {
      if (sub === undefined || sub === '--help' || sub === '-h') {
        context.stdout(renderRoleHelp(top));
        return sub === undefined ? EXIT_USAGE : 0;
      }
      context.stderr(`kcost ${top.name}: unknown command "${sub}". Run kcost ${top.name} --help to list them.\n`);
      return EXIT_USAGE;
    }
    [role, parent] = [found, top];
    rest.shift();
  }
  const title = parent ? `${parent.name} ${role.name}` : role.name;
  if (role.shortFlags) rest.splice(0, rest.length, ...expandShortFlags(rest, role.shortFlags));
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout(renderRoleHelp(role, parent));
    return 0;
  }
  if (!role.run) {
    context.stderr(`kcost ${title} is not built yet in this version of kcost.\n`);
    return EXIT_USAGE;
  }
  try {
    const { config, positionals } = resolveConfig(role.settings, { argv: rest, env: context.env });
    return await role.run(config, { ...context, positionals, runRole: (argv) => main(argv, context) });
  } catch (error) {
    if (error instanceof KcostError && error.code === 'INVALID_CONFIG') {
      context.stderr(`kcost ${title}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    context.stderr(`kcost ${title}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
