import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    databaseUrl: string;
  }
}

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Finds or starts the real components the integration tests need: Kafka from
 * KAFKA_BROKERS, else a local broker started with scripts/kafka.sh (and
 * stopped afterwards if this run started it); PostgreSQL from DATABASE_URL,
 * else the local server on 127.0.0.1:5432.
 */
export default function setup(project: TestProject): () => void {
  let startedKafka = false;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    const status = (() => {
      try {
        return execFileSync('bash', [join(repo, 'scripts/kafka.sh'), 'status'], { encoding: 'utf8' });
      } catch {
        return 'not running';
      }
    })();
    brokers = execFileSync('bash', [join(repo, 'scripts/kafka.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    startedKafka = status.startsWith('not running');
  }
  project.provide('kafkaBrokers', brokers);
  project.provide('databaseUrl', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  return () => {
    if (startedKafka) execFileSync('bash', [join(repo, 'scripts/kafka.sh'), 'stop'], { stdio: 'inherit' });
  };
}
