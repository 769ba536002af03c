import { defineRole } from '../../cli/role.js';
import { lazyRun } from '../../cli/lazy-run.js';
import { billSettings } from './bill-settings.js';

/** `kcost collect bill`: publishes the lines of FOCUS and CUR 2.0 billing exports to kcost.billing.v1. */
export const billRole = defineRole({
  name: 'bill',
  usage: 'bill --source <dir|s3://bucket/prefix> [flags]',
  summary: 'Publish cloud bill lines (FOCUS 1.0-1.2, AWS CUR 2.0) to kcost.billing.v1.',
  description: [
    'Reads billing exports from a directory or an S3 bucket: FOCUS 1.0, 1.1 and 1.2 and AWS Cost and Usage Report 2.0, as CSV or Parquet, optionally gzip-compressed, and publishes one BillingLine record per line (FOCUS columns; CUR 2.0 columns mapped to them, docs/billing.md) keyed billingAccountId/billingPeriodStart/lineId.',
    'Incremental: a file is read again only when its version (S3 ETag, or mtime and size) changes. The lines in effect for a billing period are those of the newest delivery folder holding it; when a period is re-delivered its lines are published again and a tombstone retires every key of the period the new delivery no longer holds, as providers restate charges through the month.',
    'A row that cannot be read (cut short, a bad date or number, a value FOCUS does not allow) goes to kcost.deadletter.v1 with the file, the row and the reason, and is counted in kcost_bill_rows_dead_lettered_total; the rest of the file is loaded. Columns kcost does not read are ignored, except FOCUS x_ columns, kept in BillingLine.extensions.',
    'Scans every --every (once with --every 0). Serves /healthz, /readyz and /metrics on --health-port and stops cleanly on SIGTERM, after the scan in hand.',
  ].join('\n\n'),
  settings: billSettings,
  run: lazyRun(() => import('./bill-run.js')),
});
