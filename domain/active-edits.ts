// What a model version is trained on, as plain shapes: the active edits of the ledger as of a position, in the
// canonical order and with the hash projections/edit-set.ts defines. The trainer's ports (domain/ports/trainer.ts)
// and the read models speak these, so they live with the domain rather than with one projection.

/** The training content of one edit; what the edit set (and its hash) is made of. */
export interface ActiveEdit {
  readonly editId: string;
  readonly factKey: string;
  readonly prompt: string;
  readonly target: string;
  readonly subject?: string;
  readonly rephrase: readonly string[];
  readonly locality: ReadonlyArray<{ readonly prompt: string; readonly answer?: string }>;
}

export interface EditSet {
  /** The ledger position the set is as of. */
  readonly position: number;
  /** In canonical order. */
  readonly edits: readonly ActiveEdit[];
  readonly editSetHash: string;
}
