// The artifact store as the trainer and the model use cases need it: content-addressed folders of files (base
// checkpoints, trained deltas), checked against their hashes. Implemented by infra/artifacts/artifact-store.ts.

export interface StoredArtifact {
  readonly sha256: string;
  /** The artifact's folder (its files can be read from there, e.g. a base checkpoint). */
  readonly dir: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export type ArtifactCheck =
  { readonly ok: true } | { readonly ok: false; readonly missing: boolean; readonly problem: string };

export interface ArtifactRepository {
  put(input: {
    primary: string;
    files: ReadonlyMap<string, Uint8Array>;
  }): Promise<{ sha256: string; reused: boolean; replacedCorrupt?: string }>;
  load(sha256: string): Promise<StoredArtifact>;
  verify(sha256: string): Promise<ArtifactCheck>;
  /** Move a stored artifact out of the way (one whose files no longer match the ledger's record). */
  quarantine(sha256: string): Promise<string>;
  /** Delete an artifact for good (erasure); false when it was not stored. */
  remove(sha256: string): Promise<boolean>;
}
