import { ROLES } from '../../services/cli/roles.js';
import type { Role } from '../../services/cli/role.js';
import { resolveConfig } from '../../services/config/settings.js';

/** A `kcost ...` invocation (arguments and environment) checked against the role's own settings. */
export interface Invocation {
  readonly role: Role;
  /** Role path as typed, e.g. "collect kube". */
  readonly name: string;
  /** Whether the role's code has landed; a planned role has no settings to check against. */
  readonly built: boolean;
  /** Resolved config: flag ?? env ?? default, validated by the role's parsers. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Finds the role the leading positionals name (`collect kube` → the kube collector). */
export function findRole(args: readonly string[]): { role: Role; name: string; rest: string[] } {
  let roles: readonly Role[] = ROLES;
  let role: Role | undefined;
  const path: string[] = [];
  let i = 0;
  while (i < args.length) {
    const next = roles.find((r) => r.name === args[i]);
    if (!next) break;
    role = next;
    path.push(next.name);
    i++;
    if (!next.subcommands) break;
    roles = next.subcommands;
  }
  if (!role) throw new Error(`"${args.join(' ')}" names no kcost role (known: ${ROLES.map((r) => r.name).join(', ')})`);
  if (role.subcommands) throw new Error(`kcost ${path.join(' ')} needs one of: ${role.subcommands.map((r) => r.name).join(', ')}`);
  return { role, name: path.join(' '), rest: args.slice(i) };
}

/** Environment variables kcost reads: KCOST_* and the aliases of any role's settings. */
export function isKcostVariable(name: string): boolean {
  if (name.startsWith('KCOST_')) return true;
  const aliases = (role: Role): string[] => [...Object.values(role.settings).flatMap((s) => s.env), ...(role.subcommands ?? []).flatMap(aliases)];
  return ROLES.flatMap(aliases).includes(name);
}

/**
 * Checks arguments and environment against the role: every flag and every
 * kcost variable must be one of its settings and every value must parse.
 * Throws with the reason; returns the resolved config.
 */
export function checkInvocation(args: readonly string[], env: Readonly<Record<string, string>>): Invocation {
  const { role, name, rest } = findRole(args);
  const built = role.run !== undefined;
  if (!built) return { role, name, built, config: {} };
  const known = new Set(Object.values(role.settings).flatMap((s) => s.env));
  const unknown = Object.keys(env).filter((v) => isKcostVariable(v) && !known.has(v));
  if (unknown.length > 0) throw new Error(`kcost ${name} reads no ${unknown.join(', ')} (it reads: ${[...known].join(', ')})`);
  const { config, positionals } = resolveConfig(role.settings, { argv: rest, env });
  if (positionals.length > 0) throw new Error(`kcost ${name} takes no positional ${positionals.join(' ')}`);
  return { role, name, built, config: config };
}

/** The ports a running role listens on, from its resolved config. */
export function listeningPorts(invocation: Invocation): number[] {
  return ['healthPort', 'port'].map((key) => invocation.config[key]).filter((p): p is number => typeof p === 'number');
}
