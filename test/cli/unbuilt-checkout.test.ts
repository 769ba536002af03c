import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../bench/kcost-process.js';

// A fresh clone before `npm run build`: bin/ is there, dist/ is not.

const run = promisify(execFile);
const checkout = mkdtempSync(join(tmpdir(), 'kcost-unbuilt-'));
cpSync(join(REPO, 'bin'), join(checkout, 'bin'), { recursive: true });
cpSync(join(REPO, 'package.json'), join(checkout, 'package.json'));

afterAll(() => rmSync(checkout, { recursive: true, force: true }));

describe('an unbuilt checkout', () => {
  it.each([['kcost.js', ['--help']], ['kubectl-cost.js', ['namespace']]])('bin/%s %j says in one line to run npm run build', async (entry, args) => {
    const failed = await run(process.execPath, [join(checkout, 'bin', entry), ...args], { timeout: 20_000 }).then(
      () => null,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    expect(failed?.stderr).toBe(`kcost: not built yet (no ${join(checkout, 'dist', 'services', 'cli', 'main.js')}): run \`npm run build\` in ${checkout}\n`);
  });
});
