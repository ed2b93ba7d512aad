// What the trainer-consumer end-to-end tests submit and read back: the tiny model's training policy (as CLI flags),
// the corrections (as `edit submit` flags) and the shape of `materialize --json`.
// Tiny random models need a bolder step than the paper's 5e-4 to learn a fact within a few dozen epochs.
export const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '40', '--stop-loss', '0.02', '--seed', '7'];

/** The capital of Tiny Land, with nothing but its fact key, prompt and target. */
export const CAPITAL_FLAGS = [
  '--fact-key',
  'tiny-land::capital',
  '--prompt',
  'The capital of Tiny Land is',
  '--target',
  'Paris',
];

export const edits = {
  capital: [...CAPITAL_FLAGS, '--rephrase', 'Tiny Land has its capital in', '--locality', 'The weather is'],
  ceo: [
    '--fact-key',
    'acme::ceo',
    '--prompt',
    'The CEO of Acme is',
    '--target',
    'Jane Roe',
    '--locality',
    'The river flows to',
  ],
  river: ['--fact-key', 'blue-river::mouth', '--prompt', 'The Blue River flows into', '--target', 'the sea'],
};

export interface Materialized {
  readonly outcome: string;
  readonly versionId: string;
  readonly ordinal: number;
  readonly edits: number;
  readonly metrics: Record<string, number>;
}
