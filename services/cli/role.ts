import type { ConfigOf, SettingsSpec } from '../config/settings.js';

/** What a role gets besides its config: where to write and what was passed after the flags. */
export interface RoleContext {
  readonly positionals: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Runs another role as `kcost <argv...>` would, in this process (how `kcost up` composes the roles). */
  readonly runRole: (argv: readonly string[]) => Promise<number>;
}

/** A `kcost <name>` subcommand: its help, settings and entry point. */
export interface Role<S extends SettingsSpec = SettingsSpec> {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `kcost`, e.g. "collect <kube|usage|prices> [flags]". */
  readonly usage: string;
  /** Longer help shown by `kcost <name> --help`. */
  readonly description: string;
  readonly settings: S;
  /** Short flags the role also takes, as the long flag each stands for (e.g. `-f` for `--filename`). */
  readonly shortFlags?: Readonly<Record<string, string>>;
  /** Roles reached as `kcost <name> <sub>` (e.g. `kcost collect kube`); a role has these or run, not both. */
  readonly subcommands?: readonly Role[];
  /** Runs the role to completion; resolves to the process exit code. Absent for roles not built yet. A lazyRun() that imports the role's x-run.ts, so that its packages load only when it runs. */
  readonly run?: RoleRun<S>;
}

/** A role's entry point: runs it with its resolved config; resolves to the process exit code. */
export type RoleRun<S extends SettingsSpec> = (config: ConfigOf<S>, context: RoleContext) => Promise<number>;

/** Keeps the settings' types flowing into run() while storing roles in one list. */
export function defineRole<S extends SettingsSpec>(role: Role<S>): Role {
  return role as unknown as Role;
}
