// A run whose loss hardly fell has edited nothing: the policy does not fit the model (typically the paper's
// lr 5e-4 / batch 100, made for 7B models, on a small one). Commands warn instead of reporting success silently.

/** Final epoch loss above this share of the first epoch's counts as "barely moved". */
export const BARELY_MOVED_RATIO = 0.8;

/** A warning when the loss curve (epoch means) ended above BARELY_MOVED_RATIO of where it started, else undefined. */
export function lossBarelyMovedWarning(lossCurve: readonly number[]): string | undefined {
  const first = lossCurve[0];
  const last = lossCurve[lossCurve.length - 1];
  if (first === undefined || last === undefined || !(first > 0)) return undefined;
  if (last < first * BARELY_MOVED_RATIO) return undefined;
  const percent = ((1 - last / first) * 100).toFixed(0);
  return (
    `warning: the loss barely moved (${first.toFixed(4)} -> ${last.toFixed(4)}, ${percent}% lower over ` +
    `${lossCurve.length} epochs): the edits are probably not learned. Raise --lr or --epochs, lower --batch-size, ` +
    `or put a policy that suits this model in its editing.json`
  );
}
