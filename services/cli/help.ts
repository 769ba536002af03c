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
    ...roles.map((r) => `  ${r.name.padEnd(width)}  ${r.summary}${r.run ? '' : ' (not built yet)'}`),
    '',
    'Every flag can also be set with its KCOST_* environment variable; flags win over the environment, which wins over defaults.',
    '',
  ].join('\n');
}

export function renderRoleHelp(role: Role): string {
  const lines = [`Usage: kcost ${role.usage}`, '', role.description, ''];
  if (!role.run) {
    lines.push(`kcost ${role.name} is not built yet: running it exits with status 2.`, '');
    return lines.join('\n');
  }
  lines.push('Flags:', renderFlags(role.settings), '');
  return lines.join('\n');
}
