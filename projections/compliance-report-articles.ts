// The mapping of the report's records to the EU AI Act provisions an auditor checks, in our own words: what the
// provision asks, and where this report (or the ledger behind it) shows it. Static text, kept apart from the fold.

export interface ArticleRow {
  readonly article: string;
  readonly asks: string;
  readonly where: string;
}

export const COMPLIANCE_ARTICLES: readonly ArticleRow[] = [
  {
    article: 'Art. 12 (record-keeping)',
    asks: 'Events over the system’s lifetime are logged automatically, so what happened can be traced.',
    where:
      'Every edit, review, version and serving change is an event appended by the software itself, with actor, channel, time and position (sections Edits, Versions, Serving changes); the hash chain shows none was altered (Verification).',
  },
  {
    article: 'Art. 19 (automatically generated logs)',
    asks: 'The provider keeps the automatically generated logs for at least six months.',
    where: 'Retention: the ledger is append-only and never deletes events; the oldest retained event is dated there.',
  },
  {
    article: 'Art. 11 / Annex IV point 6',
    asks: 'Technical documentation describes the relevant changes made to the system through its lifecycle.',
    where:
      'Versions: each version’s edit set, base hash, training policy (and its hash), artifact sha256 and metrics against the base; Edits: the provenance of every change.',
  },
  {
    article: 'Art. 72 (post-market monitoring)',
    asks: 'Performance is monitored after placing on the market, from data collected systematically.',
    where:
      'Versions and the metrics chart: reliability, generalization, locality and capability measured for every version; Serving changes: rollbacks with actor and reason.',
  },
  {
    article: 'Recital 128 (predetermined changes)',
    asks: 'Changes the provider declared in advance and assessed are not a substantial modification.',
    where:
      'Governance: the declared change envelope; Versions: each version’s verdict against it; Serving changes: any version served outside it is flagged.',
  },
];
