import { createServer } from 'node:net';
import { KcostError } from '../errors/kcost-error.js';
import type { PlannedPort } from './up-plan.js';

/** Whether something already listens on `port` (as the roles listen: every address). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error)));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/**
 * Fails with one PORTS_TAKEN error naming every planned port another process
 * holds, before anything starts: otherwise the roles would start, report
 * that kcost is up, and then die one by one on EADDRINUSE.
 */
export async function assertPortsFree(ports: readonly PlannedPort[]): Promise<void> {
  const taken: PlannedPort[] = [];
  for (const planned of ports) if (await portTaken(planned.port)) taken.push(planned);
  if (taken.length === 0) return;
  const list = taken.map((p) => `${p.port} (${p.what}, ${p.flag})`).join(', ');
  throw new KcostError(
    'PORTS_TAKEN',
    `${taken.length === 1 ? 'port' : 'ports'} ${list} ${taken.length === 1 ? 'is' : 'are'} taken by another process: is kcost already running? Stop it, or choose other ports with the flags named`,
  );
}
