import type { NodeUsage } from '../codec/records.generated.js';
import type { OutgoingRecord } from '../kafka/batching-producer.js';
import type { SimulationEvent } from './simulation.js';

/** What a run published, as the role prints it. */
export interface PublishSummary {
  /** Records per topic and schema. */
  readonly published: Record<string, Record<string, number>>;
  readonly records: number;
  /** Usage samples among them: one a UsageSample record, one a container of a NodeUsage record. */
  readonly usageSamples: number;
  readonly firstEventMillis: number | null;
  readonly lastEventMillis: number | null;
  readonly elapsedMillis: number;
  readonly stopped: boolean;
}

export interface PublishOptions {
  readonly publish: (records: readonly OutgoingRecord[]) => Promise<void>;
  /** Simulated milliseconds per wall millisecond; Infinity publishes as fast as acknowledged. */
  readonly speed: number;
  readonly clock: () => number;
  readonly sleep: (millis: number) => Promise<void>;
  readonly isStopped: () => boolean;
  readonly chunkRecords?: number;
  /** Chunks waiting for acknowledgement before the loop waits: bounds memory, keeps the pipe full. */
  readonly maxChunksInFlight?: number;
}

/**
 * Publishes a simulation's events in order. At a finite speed, an event
 * waits until its simulated time is due on the wall clock (after what is
 * queued has been sent); at max speed it only waits for acknowledgements.
 */
export async function publishEvents(events: Iterable<SimulationEvent>, options: PublishOptions): Promise<PublishSummary> {
  const chunkRecords = options.chunkRecords ?? 2000;
  const maxInFlight = options.maxChunksInFlight ?? 8;
  const published: Record<string, Record<string, number>> = {};
  const inFlight: Array<Promise<void>> = [];
  const wallStart = options.clock();
  let chunk: OutgoingRecord[] = [];
  let records = 0;
  let usageSamples = 0;
  let first: number | null = null;
  let last: number | null = null;
  const send = (): void => {
    if (chunk.length === 0) return;
    const acked = options.publish(chunk);
    // Handled here so a failure waits for its turn in the queue instead of crashing the process.
    acked.catch(() => undefined);
    inFlight.push(acked);
    chunk = [];
  };
  for (const event of events) {
    if (options.isStopped()) break;
    first ??= event.atMillis;
    if (Number.isFinite(options.speed)) {
      const due = wallStart + (event.atMillis - first) / options.speed;
      const wait = due - options.clock();
      if (wait > 0) {
        send();
        await options.sleep(wait);
        if (options.isStopped()) break;
      }
    }
    chunk.push(event);
    last = event.atMillis;
    records++;
    if (event.schema === 'UsageSample') usageSamples++;
    else if (event.schema === 'NodeUsage') usageSamples += (event.value as NodeUsage).containers.length;
    const byTopic = (published[event.topic] ??= {});
    byTopic[event.schema] = (byTopic[event.schema] ?? 0) + 1;
    if (chunk.length >= chunkRecords) send();
    while (inFlight.length > maxInFlight) await inFlight.shift();
  }
  send();
  await Promise.all(inFlight);
  return { published, records, usageSamples, firstEventMillis: first, lastEventMillis: last, elapsedMillis: options.clock() - wallStart, stopped: options.isStopped() };
}
