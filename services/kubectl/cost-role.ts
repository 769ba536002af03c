import { defineRole } from '../cli/role.js';
import { KcostError } from '../errors/kcost-error.js';
import { allocationCommand, aggregateOf } from './allocation-command.js';
import { approveCommand } from './approve-command.js';
import { createCostApi } from './api-client.js';
import { costSettings } from './cost-settings.js';
import { estimateCommand } from './estimate-command.js';
import { focusAggregate, focusCommand } from './focus-command.js';
import { budgetsCommand, forecastAggregate, forecastCommand } from './forecast-command.js';
import { recommendationsCommand, rejectYamlOutput } from './recommendations-command.js';
import { savingsCommand } from './savings-command.js';

/** `kcost cost …`, also shipped as the `kubectl-cost` plugin (`kubectl cost …`). */
export const costRole = defineRole({
  name: 'cost',
  usage: 'cost <namespace|workload|pod|node|label <key>|estimate|recommendations|approve <key>|savings|forecast [grouping]|budgets|focus [namespace|workload]> [flags]',
  summary: 'Show cost per namespace, workload, pod, node or label, estimate a manifest, list and approve recommendations, total what they save, forecast cost, check budgets or export FOCUS rows (kubectl cost).',
  description: [
    'Reads the kcost query API (--api-url) and prints cost over --window as a table, JSON or CSV: kubectl cost namespace, kubectl cost workload -n web, kubectl cost pod --cluster prod --window 7d, kubectl cost label team.',
    'kubectl cost estimate -f manifest.yaml prices the requests of its Deployments, StatefulSets (with their volume claims) and DaemonSets (× --node-count) for 730 hours at the current price of --instance-type from the API, or at the built-in default prices, and exits with status 3 when the total exceeds --max-monthly-usd.',
    'kubectl cost recommendations [-n ns] [--kind Deployment] [--min-saving-usd 10] [--risk LOW,MEDIUM] lists the latest right-sizing advice per container, largest saving first: current → recommended CPU and memory requests and limits, the saving in USD a month, confidence, risk and reasons. With -o yaml it prints, per workload, a strategic merge patch of its containers\' resources (only those the advice changes; CronJobs under spec.jobTemplate), each headed by the kubectl patch command that applies it, and where an HPA target should move a second patch for the HorizontalPodAutoscaler (autoscaling/v2); documents are separated by ---. kubectl cost recommendations --type orphaned-volumes lists instead the PersistentVolumeClaims no running pod mounted for the recommender\'s --orphaned-volume-after (default 7 days): claim, volume, class, size, since when, the last pod that mounted it, and the saving of deleting it; --type daemonset-only-nodes the nodes that ran only DaemonSet and static pods for its --daemonset-only-node-after (default 24 h), with the saving of removing them. From kcost savings: --type node-pools (each pool\'s nodes now and the proposed mix, hourly cost of both), spot (whether each workload on on-demand nodes may move to spot, the rules it failed, the saving), commitments (per instance family and term: what to commit per hour, utilization, coverage, break-even month) and arm (workloads whose instance types have a cheaper ARM sibling).',
    'kubectl cost savings [--cluster c] lists every open recommendation of every kind with its monthly saving and the part of it the total counts, and the total in the last line: where two records price the same money (an idle workload and its containers, spot and ARM moves of one workload, a node pool and its empty nodes, the two terms of a commitment) it is counted once (README, "Adding savings up").',
    'kubectl cost forecast [cluster|namespace|workload|pod|node|label <key>] [--history 90d] [--horizon 30d] forecasts daily cost per group: the month so far, the projected month with its 80 % interval, the total of the next --horizon days and the backtested error (MAPE) of the model on that series; a group with less than 21 days of history says how much it needs. kubectl cost budgets lists the API\'s budgets (kcost api --budgets) with spent, projected, share of budget and the day each runs out, and exits with status 3 when one is over or projected over.',
    'kubectl cost approve <key> [--generated-at <version>] [--comment text] approves one version of a recommendation (POST /v1/approvals, docs/approvals.md): the token\'s role must be engineer, operator or admin over its namespace. Without --generated-at the current version is approved; with it, a recommendation that has changed since is refused.',
    'kubectl cost focus [namespace|workload] --window month [--cluster c] [-n ns] [--cost-basis reconciled] > cost.csv writes kcost\'s allocations over the window as FOCUS 1.2 CSV (GET /v1/focus): one row per workload (or namespace) and day, and for roles given node costs one idle row per node and day; --idle include asks for idle rows (the API refuses them to other roles). --cost-basis reconciled writes the cost reconciled with the cloud bill by kcost reconcile instead, plus one external row per namespace, service and day for the bill\'s out-of-cluster lines (whole UTC days only). docs/focus.md maps its columns and says how to load it next to the provider\'s FOCUS export.',
    'Installed as kubectl-cost on the PATH, it is a kubectl plugin; -n, -o and -f stand for --namespace, --output and --filename, as in kubectl.',
  ].join('\n\n'),
  settings: costSettings,
  // kubectl's own short flags, so `kcost cost` and `kubectl cost` take the same command lines.
  shortFlags: { '-n': '--namespace', '-o': '--output', '-f': '--filename' },
  async run(config, { positionals, stdout, stderr }) {
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
  },
});
