import { describe, expect, it } from 'vitest';
import { ParameterError } from './parameter-error.js';
import { checkTextParams } from './text-param.js';

describe('checkTextParams', () => {
  it.each([
    [{ cluster: 'prod\u0000' }, 'cluster', /U\+0000 at position 5/],
    [{ window: '24h', namespace: 'a\nb' }, 'namespace', /U\+000A/],
    [{ sku: 'm5\u007f' }, 'sku', /U\+007F/],
  ])('refuses %j naming the parameter', (params, parameter, message) => {
    let error: unknown;
    try {
      checkTextParams(params);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as ParameterError).parameter).toBe(parameter);
    expect((error as ParameterError).message).toMatch(message);
  });

  it('lets printable values of any script through, and leaves repeated parameters to the schema', () => {
    expect(() => checkTextParams({ namespace: 'café-日本', filter: 'label[app]:"a b"', window: ['24h', '7d'] })).not.toThrow();
  });
});
