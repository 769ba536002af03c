import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envName, flagName } from '../config/settings.js';
import { EXIT_USAGE, main } from './main.js';
import type { Role } from './role.js';
import { ROLES } from './roles.js';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { env, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const leafRoles: Array<[string[], Role]> = ROLES.flatMap((role) =>
  role.subcommands ? role.subcommands.map((sub): [string[], Role] => [[role.name, sub.name], sub]) : [[[role.name], role]],
);

describe('kcost CLI', () => {
  it('lists every role in kcost --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const role of ROLES) expect(out).toContain(role.name);
  });

  it.each(leafRoles.map(([path, role]) => [path.join(' '), path, role] as const))('kcost %s --help describes every flag and its environment variable', async (_name, path, role) => {
    const { code, out } = await run([...path, '--help']);
    expect(code).toBe(0);
    expect(out).toContain(`Usage: kcost ${path.join(' ')}`);
    for (const key of Object.keys(role.settings)) {
      expect(out).toContain(`--${flagName(key)}`);
      expect(out).toContain(envName(key));
    }
  });

  it.each(leafRoles.filter(([, role]) => !role.run).map(([path]) => [path.join(' '), path] as const))(
    'kcost %s says it is not built yet and exits non-zero',
    async (_name, path) => {
      const { code, err } = await run(path);
      expect(code).toBe(EXIT_USAGE);
      expect(err).toMatch(/not built yet/);
    },
  );

  it.each([['--version'], ['-V'], ['version']])('kcost %s prints the version of package.json', async (flag) => {
    const { code, out } = await run([flag]);
    expect(code).toBe(0);
    expect(out).toBe(`kcost ${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`);
  });

  it('takes kubectl\'s short flags for kcost cost: -f reaches the estimate as --filename', async () => {
    const { code, err } = await run(['cost', 'estimate', '-f', '/nonexistent/manifest.yaml']);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('cannot read -f /nonexistent/manifest.yaml');
  });

  it('rejects an unknown role', async () => {
    const { code, err } = await run(['frobnicate']);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('unknown role "frobnicate"');
  });

  it('stops on a bad setting with a message naming the setting and the value', async () => {
    const { code, err } = await run(['topics'], { KCOST_REPLICATION_FACTOR: 'three' });
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('invalid value "three" for KCOST_REPLICATION_FACTOR');
  });
});
