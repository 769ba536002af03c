import { createRequire } from 'node:module';
import { exactRecordEncoder } from './kafkajs-record-encoder.js';
import { linearGrouping } from './kafkajs-linear-grouping.js';

const require = createRequire(import.meta.url);
/** kafkajs modules replaced, and the modules that take them when they load. */
export const KAFKAJS_MODULES = {
  grouping: require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js'),
  record: require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
  sendMessages: require.resolve('kafkajs/src/producer/sendMessages.js'),
  produceRequest: require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js'),
};

/** A module of kafkajs as it is on disk, whatever the require cache holds for it now (the cache is left as it was). */
export function kafkajsOriginal<T>(path: string): T {
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as T;
  } finally {
    if (cached) require.cache[path] = cached;
    else delete require.cache[path];
  }
}

/**
 * Puts kcost's versions of two kafkajs producer steps in kafkajs's place: a
 * linear grouping of messages by partition (kafkajsGrouping is quadratic)
 * and a record encoder that writes each record once at its exact size. Both
 * give kafkajs's results byte for byte (their tests compare them with
 * kafkajs's own); they only allocate less per produced record. kafkajs takes
 * these functions when the modules that use them load, so this must run
 * before kafkajs is first imported: `kcost` imports this module before
 * anything else. Returns whether it took effect; where kafkajs was loaded
 * first, it keeps its own steps, which give the same results, slower.
 */
export function installKafkajsFastPaths(): boolean {
  if (require.cache[KAFKAJS_MODULES.sendMessages] || require.cache[KAFKAJS_MODULES.produceRequest]) {
    return require(KAFKAJS_MODULES.grouping) === linearGrouping;
  }
  require(KAFKAJS_MODULES.grouping);
  const kafkajsRecord = require(KAFKAJS_MODULES.record) as Parameters<typeof exactRecordEncoder>[0];
  const grouping = require.cache[KAFKAJS_MODULES.grouping];
  const record = require.cache[KAFKAJS_MODULES.record];
  if (!grouping || !record) return false;
  grouping.exports = linearGrouping;
  record.exports = exactRecordEncoder(kafkajsRecord);
  return true;
}

installKafkajsFastPaths();
