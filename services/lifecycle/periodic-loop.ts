/**
 * Runs `pass` now and then every `everyMillis` after each pass ends, until
 * stopped. stop() cuts the wait short (a pass under way finishes first, so
 * what it writes is whole) and returns the promise of the loop's end, which
 * is what stopOnSignals waits for.
 */
export function runPeriodically(pass: () => Promise<void>, everyMillis: number): { readonly stop: () => Promise<void> } {
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping) {
      await pass();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, everyMillis);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    stop: () => {
      stopping = true;
      wake?.();
      return loop;
    },
  };
}
