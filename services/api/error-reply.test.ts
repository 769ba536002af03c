import { describe, expect, it } from 'vitest';
import { KcostError } from '../errors/kcost-error.js';
import { errorReply } from './error-reply.js';
import { ParameterError } from './parameter-error.js';

describe('errorReply', () => {
  it.each([
    [new ParameterError('window', 'bad'), 400, 'BAD_PARAMETER', 'window'],
    [Object.assign(new Error('querystring must NOT have additional properties'), { validation: [{ instancePath: '', params: { additionalProperty: 'ns' } }] }), 400, 'BAD_PARAMETER', 'ns'],
    [Object.assign(new Error('x'), { validation: [{ instancePath: '/step', message: 'must be equal to one of the allowed values', params: { allowedValues: ['none', '1h'] } }] }), 400, 'BAD_PARAMETER', 'step'],
    [new KcostError('UNAUTHORIZED', 'no token'), 401, 'UNAUTHORIZED', undefined],
    [new KcostError('RATE_LIMITED', 'slow down'), 429, 'RATE_LIMITED', undefined],
    [Object.assign(new KcostError('URL_TOO_LONG', 'the URL is too long; its longest parameter is "filter"'), { parameter: 'filter' }), 414, 'URL_TOO_LONG', 'filter'],
    [Object.assign(new KcostError('TOO_BUSY', 'busy'), { retryAfter: 3 }), 429, 'TOO_BUSY', undefined],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 503, 'DATABASE_UNAVAILABLE', undefined],
    [Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), 503, 'DATABASE_UNAVAILABLE', undefined],
    [Object.assign(new Error('relation "pod_cost_daily" does not exist'), { code: '42P01' }), 503, 'DATABASE_UNAVAILABLE', undefined],
    // Data exceptions the edge should have caught still blame the input, never the server.
    [Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), 400, 'BAD_PARAMETER', undefined],
    [Object.assign(new Error('date/time field value out of range'), { code: '22008' }), 400, 'BAD_PARAMETER', undefined],
    [Object.assign(new Error('time zone displacement out of range'), { code: '22009' }), 400, 'BAD_PARAMETER', undefined],
    [new TypeError('a bug'), 500, 'INTERNAL', undefined],
  ])('%s → %i %s', (error, status, code, parameter) => {
    const reply = errorReply(error);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toBe(code);
    expect(reply.body.parameter).toBe(parameter);
    if (parameter) expect(reply.body.message).toContain(`"${parameter}"`);
  });

  it('never shows the message of an unexpected error to the caller', () => {
    expect(errorReply(new Error('password=hunter2 in connection string')).body.message).not.toContain('hunter2');
  });
});
