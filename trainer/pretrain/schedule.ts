// Learning-rate schedule: linear warmup from 0, then a half cosine from the peak down to minLrRatio * peak at the
// last step. A pure function of the step, so a resumed run continues on the same curve.

export interface LrSchedule {
  readonly peakLr: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** Final learning rate as a fraction of the peak. */
  readonly minLrRatio: number;
}

/** Learning rate for optimizer step `step` (0-based). */
export function learningRate(s: LrSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps - 1);
  const progress = Math.min(1, (step - s.warmupSteps) / decaySteps);
  const min = s.peakLr * s.minLrRatio;
  return min + 0.5 * (s.peakLr - min) * (1 + Math.cos(Math.PI * progress));
}
