// The metrics an evaluation reports, their display labels, and the report's shape (shared by evaluate.ts, the
// table/JSON formatter and the location sweep).

export const METRIC_NAMES = [
  'reliability',
  'generalization',
  'reliabilityTf',
  'generalizationTf',
  'localityUnchanged',
  'localityAccuracy',
  'portability',
  'portabilityTf',
  'perplexity',
  'uneditedFactAccuracy',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const METRIC_LABELS: Record<MetricName, string> = {
  reliability: 'Reliability (greedy EM, authors)',
  generalization: 'Generalization (greedy EM, authors)',
  reliabilityTf: 'Reliability (teacher-forced top-1, EasyEdit)',
  generalizationTf: 'Generalization (teacher-forced top-1, EasyEdit)',
  localityUnchanged: 'Locality (answer unchanged vs base)',
  localityAccuracy: 'Locality (EM vs expected answer)',
  portability: 'Portability (greedy EM)',
  portabilityTf: 'Portability (teacher-forced top-1)',
  perplexity: 'Capability: held-out perplexity',
  uneditedFactAccuracy: 'Capability: unedited-fact EM',
};

/** A metric for both models; value null = not measurable here (no probes). localityUnchanged has no base value. */
export interface MetricRow {
  readonly n: number;
  readonly base: number | null;
  readonly edited: number | null;
}

export interface EvalReport {
  readonly edits: number;
  readonly metrics: Record<MetricName, MetricRow>;
  readonly durationMs: number;
}
