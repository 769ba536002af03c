import { renderFlags } from '../config/settings.js';
import type { Role } from './role.js';

export function renderTopHelp(roles: readonly Role[]): string {
  const width = Math.max(...roles.map((r) => r.name.length));
  return [
    'kcost: Kubernetes cost pipeline on Kafka and PostgreSQL/TimescaleDB.',
    '',
    'Usage: kcost <role> [flags]      kcost <role> --help',
    '',
    'Roles:',
    ...roles.map((r) => `  ${r.name.padEnd(width)}  ${r.summary}${isBuilt(r) ? '' : ' (not built yet)'}`),
    '',
    'Every flag can also be set with its KCOST_* environment variable; flags win over the environment, which wins over defaults.',
    '',
  ].join('\n');
}

function isBuilt(role: Role): boolean {
  return role.run !== undefined || (role.subcommands ?? []).some(isBuilt);
}

export function renderRoleHelp(role: Role, parent?: Role): string {
  const lines = [`Usage: kcost ${parent ? `${parent.name} ` : ''}${role.usage}`, '', role.description, ''];
  if (role.subcommands) {
    const width = Math.max(...role.subcommands.map((r) => r.name.length));
    lines.push(
      'Commands:',
      ...role.subcommands.map((r) => `  ${r.name.padEnd(width)}  ${r.summary}${r.run ? '' : ' (not built yet)'}`),
      '',
      `Run kcost ${role.name} <command> --help for its flags.`,
      '',
    );
    return lines.join('\n');
  }
  if (!role.run) {
    lines.push(`kcost ${parent ? `${parent.name} ` : ''}${role.name} is not built yet: running it exits with status 2.`, '');
    return lines.join('\n');
  }
  lines.push('Flags:', renderFlags(role.settings), '');
  return lines.join('\n');
}
