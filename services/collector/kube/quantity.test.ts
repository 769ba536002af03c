import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBytes, parseCores } from './quantity.js';

describe('parseCores', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1930m', 1.93],
    ['0.5', 0.5],
    ['931979788n', 0.931979788],
    ['66759n', 0.000066759],
    ['250u', 0.00025],
    ['1e3', 1000],
    ['1.5k', 1500],
    ['+3', 3],
    ['-1', -1],
  ])('%s is %d cores', (raw, cores) => {
    expect(parseCores(raw)).toBe(cores);
  });

  it.each(['', 'lots', '1.2.3', '100mi', '5 m', '1x'])('rejects %j and names the value', (raw) => {
    expect(() => parseCores(raw, 'requests.cpu')).toThrow(/requests\.cpu: .* is not a Kubernetes quantity/);
  });

  it('equals milli-cores / 1000 for every whole milli-core count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (milli) => parseCores(`${milli}m`) === milli / 1000));
  });
});

describe('parseBytes', () => {
  it.each([
    ['70Mi', 73_400_320],
    ['170Mi', 178_257_920],
    ['1Gi', 1_073_741_824],
    ['3840Mi', 4_026_531_840],
    ['1e3', 1000],
    ['128974848', 128_974_848],
    ['1959264Ki', 2_006_286_336],
    ['1.5Gi', 1_610_612_736],
    ['50Gi', 53_687_091_200],
    ['1M', 1_000_000],
    ['1500m', 2],
    ['18181869946', 18_181_869_946],
  ])('%s is %d bytes', (raw, bytes) => {
    expect(parseBytes(raw)).toBe(bytes);
  });

  it('agrees with Ki × 1024 for every whole Ki count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ki) => parseBytes(`${ki}Ki`) === ki * 1024));
  });

  it('rejects a value beyond a safe integer', () => {
    expect(() => parseBytes('100Ei')).toThrow(/does not fit/);
  });
});
