// Timing for the benches: the best of N runs, the usual way to measure a piece of work with the noise of a shared
// machine (the fastest run is the one the least disturbed).

/** The fastest of `repeats` runs of `run`, in seconds. */
export async function bestOf(repeats: number, run: () => Promise<void>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await run();
    fastest = Math.min(fastest, (performance.now() - start) / 1000);
  }
  return fastest;
}
