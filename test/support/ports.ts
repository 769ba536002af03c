import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/** A TCP port free on 127.0.0.1 right now, for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether a role's /readyz on 127.0.0.1:`port` answers 200 (false while it is down or not ready). */
export async function isReady(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
    (res) => res.status === 200,
    () => false,
  );
}

/**
 * `count` consecutive ports that nothing listens on, for a process that listens
 * on a block of them (kcost up's health ports follow --first-health-port).
 * Taken from below the kernel's ephemeral range: a port from freePort() is one
 * that any socket of any process (another test's server on port 0, a client's
 * local port) may be handed next, and a block of them is more exposed still.
 */
export async function freePortBlock(count: number): Promise<number[]> {
  const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  const low = 20_000;
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = low + Math.floor(Math.random() * (ephemeralLow - low - count));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if ((await Promise.all(ports.map(listensNowhere))).every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free ports between ${low} and ${ephemeralLow}`);
}

function listensNowhere(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
