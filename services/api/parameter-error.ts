import { KcostError } from '../errors/kcost-error.js';

/**
 * A bad query parameter. The API answers it with 400 and a body that names
 * `parameter`, so a caller knows which of its inputs to fix.
 */
export class ParameterError extends KcostError {
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super('BAD_PARAMETER', `parameter "${parameter}": ${message}`);
    this.name = 'ParameterError';
    this.parameter = parameter;
  }
}
