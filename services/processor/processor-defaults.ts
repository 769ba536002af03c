// Apart from processor.ts so that its settings (read by every `kcost` start, for --help) need not load the processor.

/** Default of ProcessorConfig.idleSourceAfterMillis. */
export const DEFAULT_IDLE_SOURCE_AFTER_MILLIS = 10_000;
/** Default of ProcessorConfig.futureSkewMillis. */
export const DEFAULT_FUTURE_SKEW_MILLIS = 3_600_000;
