import type { IHeaders } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KAFKAJS_MODULES, kafkajsOriginal } from './kafkajs-fast-paths.js';
import { exactRecordEncoder, type EncodedRecord, type RecordArgs } from './kafkajs-record-encoder.js';

const kafkajsRecord = kafkajsOriginal<(args: RecordArgs) => EncodedRecord>(KAFKAJS_MODULES.record);
const exactRecord = exactRecordEncoder(kafkajsRecord);

const keys: Array<Buffer | string | null> = [null, '', 'prod/node-a', 'clüster/nöde-€', Buffer.from([0, 1, 2, 255]), 'k'.repeat(200)];
const values: Array<Buffer | string | null> = [null, Buffer.alloc(0), Buffer.from('c301aabbccddeeff0011', 'hex'), Buffer.alloc(70_000, 7), 'a string value'];
const headerSets: Array<IHeaders | undefined> = [undefined, {}, { source: Buffer.from('usage:3:1234') }, { kind: 'tick', many: ['a', Buffer.from('b')], 'ünï': 'cödé' }];
const deltas = [0, 1, 63, 64, 8191, 8192, 1_000_000, -1, -64, -65, 2 ** 31 - 1, -(2 ** 31 - 1)];

describe('exactRecordEncoder', () => {
  it('encodes every record byte for byte as kafkajs does', () => {
    let cases = 0;
    for (const key of keys) {
      for (const value of values) {
        for (const headers of headerSets) {
          for (const [i, offsetDelta] of deltas.entries()) {
            const args = { offsetDelta: Math.abs(offsetDelta), timestampDelta: deltas[(i + 3) % deltas.length] as number, key, value, ...(headers ? { headers } : {}) };
            const ours = exactRecord(args);
            expect(ours.buffer.equals(kafkajsRecord(args).buffer), JSON.stringify({ ...args, value: value?.length })).toBe(true);
            expect(ours.offset).toBe(ours.buffer.length);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(keys.length * values.length * headerSets.length * deltas.length);
  });

  it('leaves to kafkajs what is beyond 32-bit varints, with the same bytes', () => {
    const args = { offsetDelta: 3, timestampDelta: 2 ** 40, key: 'k', value: Buffer.from('v') };
    expect(exactRecord(args).buffer.equals(kafkajsRecord(args).buffer)).toBe(true);
  });
});
