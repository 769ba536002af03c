import { KcostError } from '../errors/kcost-error.js';
import type { CostApi } from './api-client.js';

export interface FocusOptions {
  /** namespace or workload: what one allocation row covers. */
  readonly aggregate: string;
  readonly window: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly idle: string;
  /** list or reconciled: GET /v1/focus's costBasis. */
  readonly costBasis: string;
  readonly output: 'table' | 'json' | 'csv';
}

/** A filter-grammar value: quoted, with quotes and backslashes escaped. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * `kubectl cost focus [namespace|workload]`: GET /v1/focus as FOCUS 1.2 CSV,
 * to redirect into a file. Idle rows come as the API decides by the caller's
 * role unless --idle asks for them (include or share) or not (hide is the
 * flag's default, so it leaves the choice to the API).
 */
export async function focusCommand(api: CostApi, options: FocusOptions): Promise<string> {
  if (options.output === 'json') throw new KcostError('INVALID_CONFIG', 'kubectl cost focus prints FOCUS CSV; -o json is not one of its outputs (for Parquet: GET /v1/focus?format=parquet)');
  const filter = [options.cluster !== '' ? `cluster:${quote(options.cluster)}` : '', options.namespace !== '' ? `namespace:${quote(options.namespace)}` : '']
    .filter((c) => c !== '')
    .join('+');
  // The default basis is left out of the request, so an API without costBasis on /v1/focus still answers.
  const costBasis = options.costBasis === 'list' ? '' : options.costBasis;
  return api.getText('v1/focus', { window: options.window, aggregate: options.aggregate, filter, idle: options.idle === 'hide' ? '' : 'include', format: 'csv', costBasis });
}

/** The aggregate of `kubectl cost focus [namespace|workload]`; workload when none is given. */
export function focusAggregate(positionals: readonly string[]): string {
  const aggregate = positionals[1] ?? 'workload';
  if (aggregate !== 'namespace' && aggregate !== 'workload') throw new KcostError('INVALID_CONFIG', `kubectl cost focus groups by namespace or workload, not ${JSON.stringify(aggregate)}`);
  return aggregate;
}
