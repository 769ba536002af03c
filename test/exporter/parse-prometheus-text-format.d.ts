// Types for parse-prometheus-text-format 1.1 (the package ships none), as far as the exporter tests read it.
declare module 'parse-prometheus-text-format' {
  interface ParsedSample {
    readonly value?: string;
    readonly labels?: Record<string, string>;
    readonly timestamp_ms?: string;
  }
  interface ParsedFamily {
    readonly name: string;
    readonly help: string;
    /** Upper case: GAUGE, COUNTER, UNTYPED, ... */
    readonly type: string;
    readonly metrics: readonly ParsedSample[];
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
