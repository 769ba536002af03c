import type { RoleRun } from '../cli/role.js';
import { KcostError } from '../errors/kcost-error.js';
import { allocationCommand, aggregateOf } from './allocation-command.js';
import { approveCommand } from './approve-command.js';
import { createCostApi } from './api-client.js';
import type { costSettings } from './cost-settings.js';
import { estimateCommand } from './estimate-command.js';
import { focusAggregate, focusCommand } from './focus-command.js';
import { budgetsCommand, forecastAggregate, forecastCommand } from './forecast-command.js';
import { recommendationsCommand, rejectYamlOutput } from './recommendations-command.js';
import { savingsCommand } from './savings-command.js';

/** Runs `kcost cost`; its help and settings are in cost-role.ts. */
export const run: RoleRun<typeof costSettings> = async (config, { positionals, stdout, stderr }) => {
  const api = createCostApi({ baseUrl: config.apiUrl, token: config.token });
  if (positionals[0] === 'recommendations') {
    const result = await recommendationsCommand(api, config);
    stdout(result.text);
    for (const note of result.notes) stderr(`${note}\n`);
    return 0;
  }
  if (config.output === 'yaml') rejectYamlOutput(positionals[0] ?? 'this command');
  if (config.costBasis !== 'list' && positionals[0] !== 'focus') throw new KcostError('INVALID_CONFIG', `--cost-basis applies to kubectl cost focus only, not ${JSON.stringify(positionals[0] ?? '')}`);
  if (positionals[0] === 'approve') {
    stdout(await approveCommand(api, positionals[1], { comment: config.comment, generatedAt: config.generatedAt, output: config.output }));
    return 0;
  }
  if (positionals[0] === 'savings') {
    stdout(await savingsCommand(api, { cluster: config.cluster, output: config.output }));
    return 0;
  }
  if (positionals[0] === 'forecast') {
    stdout(await forecastCommand(api, forecastAggregate(positionals), { ...config, output: config.output }));
    return 0;
  }
  if (positionals[0] === 'budgets') {
    const result = await budgetsCommand(api, { ...config, output: config.output });
    stdout(result.text);
    return result.exitCode;
  }
  if (positionals[0] === 'focus') {
    stdout(await focusCommand(api, { ...config, output: config.output, aggregate: focusAggregate(positionals) }));
    return 0;
  }
  if (positionals[0] === 'estimate') {
    const result = await estimateCommand(api, { ...config, output: config.output });
    stdout(result.text);
    for (const note of result.notes) stderr(`${note}\n`);
    return result.exitCode;
  }
  stdout(await allocationCommand(api, { ...config, output: config.output, aggregate: aggregateOf(positionals) }));
  return 0;
};
