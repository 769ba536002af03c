import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ROUTINE_ERRORS, serviceLevelOf } from './kafkajs-log-level.js';

describe('serviceLevelOf', () => {
  it('keeps kafkajs levels for what is worth seeing', () => {
    expect(serviceLevelOf(logLevel.ERROR, { error: 'Connection timeout' })).toBe('error');
    expect(serviceLevelOf(logLevel.WARN, {})).toBe('warn');
    expect(serviceLevelOf(logLevel.ERROR, { error: 'The request included a message larger than the max message size the server will accept' })).toBe('error');
  });

  it('turns the broker answers that are retried as a matter of course into debug', () => {
    // The exact texts kafkajs logged while `kcost up` ran.
    expect(serviceLevelOf(logLevel.ERROR, { error: 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing' })).toBe('debug');
    expect(serviceLevelOf(logLevel.ERROR, { error: "The coordinator is loading and hence can't process requests for this group" })).toBe('debug');
    expect(serviceLevelOf(logLevel.ERROR, { error: 'The group coordinator is not available' })).toBe('debug');
    // The producer's retry of a transactional send names the broker's answer only in its text.
    expect(
      serviceLevelOf(logLevel.ERROR, { message: 'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing', retryCount: 0 }),
    ).toBe('debug');
  });

  it('keeps a failure whose text only mentions a routine answer in passing', () => {
    expect(serviceLevelOf(logLevel.ERROR, { message: 'Failed to send messages: Connection timeout' })).toBe('error');
    expect(serviceLevelOf(logLevel.ERROR, { message: 'The group coordinator is not available, giving up after 8 retries' })).toBe('error');
  });
});

describe('ROUTINE_ERRORS', () => {
  it('names only error types kafkajs knows, so an upgrade that renames one is caught here', async () => {
    const { createRequire } = await import('node:module');
    const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string }> };
    const known = new Set(errorCodes.map((e) => e.type));
    expect([...ROUTINE_ERRORS].filter((type) => !known.has(type))).toEqual([]);
  });
});
