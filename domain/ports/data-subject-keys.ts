// The data-subject key port: one AES-256 key per data subject, kept apart from the events, so destroying it
// erases every field sealed under it (crypto-shredding) without touching the append-only, hash-chained ledger.
// The embedded adapter is a SQLite file in the home (infra/keys/data-subject-key-store.ts); a KMS can replace it.

export interface DataSubjectKeys {
  /** The key id for a data subject, creating its key on first use. Key ids are random and name no one. */
  keyIdFor(dataSubject: string): Promise<string>;
  /** The key id of a data subject that has a key, else undefined (never had one, or erased). */
  keyIdOf(dataSubject: string): Promise<string | undefined>;
  /** The key itself (32 bytes), or undefined once it was destroyed. */
  keyOf(keyId: string): Promise<Uint8Array | undefined>;
  /** A keyed pseudonym of `text` (HMAC-SHA-256 under the key, hex, 24 characters). */
  pseudonym(keyId: string, text: string): Promise<string>;
  /** Destroy the key for good; false when there was none. */
  destroy(keyId: string): Promise<boolean>;
  close(): void;
}
