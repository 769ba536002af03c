import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UsageSample } from '../../services/codec/records.generated.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { createTestTopics, testBrokers, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testProducer } from '../support/pipeline.js';

const RECORDS = 300;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function sample(i: number): UsageSample {
  return {
    cluster: 'c1', namespace: 'ns', podUid: `pod-${i}`, podName: `pod-${i}`, container: 'app', nodeName: null,
    windowStart: 1_700_000_000_000 + i * 60_000, windowSeconds: 60, cpuCoreSeconds: i, memoryWorkingSetAvgBytes: i,
    memoryWorkingSetMaxBytes: i, networkRxBytes: null, networkTxBytes: null, gap: false, source: 'test',
  };
}

function startChild(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'consumer-child.mjs')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('a consumer killed mid-batch', () => {
  it('gets that batch again on restart, and loses nothing', async () => {
    const kafka = testKafka();
    const [topic, dlq] = await createTestTopics(kafka, [{ ...TOPICS.usage, partitions: 1 }, TOPICS.deadLetter]);
    const { producer, disconnect } = await testProducer(kafka, testCodec());
    // Published in separate sends so the log holds many small record batches, and fetches return several batches.
    for (let start = 0; start < RECORDS; start += 30) {
      const values = Array.from({ length: 30 }, (_, i) => sample(start + i));
      await producer.publish(values.map((value) => ({ topic: topic!.name, key: 'k', schema: 'UsageSample' as const, value })));
    }
    await disconnect();

    const dir = mkdtempSync(join(tmpdir(), 'kcost-redelivery-'));
    const env = { BROKERS: testBrokers().join(','), TOPIC: topic!.name, DLQ: dlq!.name, GROUP: uniqueName('redelivery') };
    const firstOut = join(dir, 'first.log');
    const first = startChild({ ...env, OUT: firstOut, HANG_IN_BATCH: '2' });
    await waitFor(() => lines(firstOut).includes('HANGING'), 60_000, 'the first consumer to hang mid-batch');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    const handledByFirst = lines(firstOut).filter((l) => l !== 'HANGING').map((l) => l.split(' ').map(Number) as [number, number]);
    const interruptedBatchStart = handledByFirst[handledByFirst.length - 1]![1];
    const completed = handledByFirst.filter(([, batchStart]) => batchStart !== interruptedBatchStart).map(([offset]) => offset);
    const interrupted = handledByFirst.filter(([, batchStart]) => batchStart === interruptedBatchStart).map(([offset]) => offset);
    expect(completed.length).toBeGreaterThan(0);
    expect(interrupted.length).toBeGreaterThan(0);

    const secondOut = join(dir, 'second.log');
    startChild({ ...env, OUT: secondOut });
    await waitFor(() => lines(secondOut).length >= RECORDS - completed.length, 60_000, 'the second consumer to catch up');
    const handledBySecond = lines(secondOut).map((l) => Number(l.split(' ')[0]));

    // The second consumer starts exactly at the interrupted batch: committed batches are not redone...
    expect(handledBySecond[0]).toBe(interruptedBatchStart);
    expect(handledBySecond).not.toContain(completed[completed.length - 1]);
    // ...the half-handled batch is handled again in full, and every record is handled.
    expect(handledBySecond).toEqual(expect.arrayContaining(interrupted));
    expect(new Set([...completed, ...handledBySecond])).toEqual(new Set(Array.from({ length: RECORDS }, (_, i) => i)));
    expect(completed.length + handledBySecond.length).toBe(RECORDS);
  });
});
