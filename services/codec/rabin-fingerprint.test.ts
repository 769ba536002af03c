import { describe, expect, it } from 'vitest';
import { rabinFingerprint } from './rabin-fingerprint.js';

describe('rabinFingerprint', () => {
  // Reference values from the Avro Java implementation (SchemaNormalization.fingerprint64).
  it.each([
    ['"int"', 8247732601305521295n],
    ['"string"', -8142146995180207161n],
    ['"null"', 7195948357588979594n],
  ])('matches Avro for %s', (canonical, expected) => {
    expect(rabinFingerprint(canonical).readBigInt64LE()).toBe(expected);
  });
});
