import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of kcost collect bill. */
export interface BillMetrics {
  readonly filesRead: Counter<'format'>;
  readonly linesPublished: Counter;
  readonly linesRetired: Counter;
  readonly rowsDeadLettered: Counter<'reason'>;
  readonly scanFailures: Counter;
  readonly lastSuccess: Gauge;
}

export function createBillMetrics(registry: Registry): BillMetrics {
  const registers = [registry];
  return {
    filesRead: new Counter({ name: 'kcost_bill_files_read_total', help: 'New or re-delivered billing files read, by format (FOCUS-1.2, CUR-2.0, unreadable).', labelNames: ['format'], registers }),
    linesPublished: new Counter({ name: 'kcost_bill_lines_published_total', help: 'BillingLine records published to the billing topic (a re-delivered period publishes all its lines again).', registers }),
    linesRetired: new Counter({ name: 'kcost_bill_lines_retired_total', help: 'Tombstones published for billing lines a re-delivery no longer holds.', registers }),
    rowsDeadLettered: new Counter({ name: 'kcost_bill_rows_dead_lettered_total', help: 'Billing rows (or whole files) sent to the dead-letter topic instead of being published, by reason code.', labelNames: ['reason'], registers }),
    scanFailures: new Counter({ name: 'kcost_bill_scan_failures_total', help: 'Scans of the billing source that failed (listing, reading or publishing); the next scan tries again.', registers }),
    lastSuccess: new Gauge({ name: 'kcost_bill_last_success_timestamp_seconds', help: 'When a scan of the billing source last succeeded, in Unix seconds.', registers }),
  };
}
