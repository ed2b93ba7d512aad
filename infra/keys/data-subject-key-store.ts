// The embedded data-subject key store: <home>/keys/data-subjects.db, a SQLite file of mode 0600 beside (never
// inside) the ledger. One random AES-256 key per data subject. Destroying a key deletes its row with
// secure_delete on (SQLite overwrites the freed bytes) in rollback-journal mode (the journal is deleted after each
// write), so neither the key nor the subject's id remains readable in the home afterwards.
// Several processes (serve, trainer, CLI) may share the file: SQLite's locking keeps creation race-free.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataSubjectKeys } from '../../domain/ports/data-subject-keys.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS subject_keys (
    key_id       TEXT PRIMARY KEY,
    data_subject TEXT NOT NULL UNIQUE,
    key          BLOB NOT NULL
  ) STRICT;
`;

/** <home>/keys/data-subjects.db */
export function dataSubjectKeysPath(home: string): string {
  return join(home, 'keys', 'data-subjects.db');
}

export interface KeyStoreOptions {
  /** Open an existing file read-only (a read-only home); a missing file reads as "no keys". */
  readonly readOnly?: boolean;
}

export class SqliteDataSubjectKeys implements DataSubjectKeys {
  private constructor(private readonly db: Database.Database | undefined) {}

  static open(path: string, options: KeyStoreOptions = {}): SqliteDataSubjectKeys {
    if (options.readOnly === true) {
      if (!existsSync(path)) return new SqliteDataSubjectKeys(undefined);
      return new SqliteDataSubjectKeys(new Database(path, { readonly: true, fileMustExist: true }));
    }
    let db: Database.Database;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      db = new Database(path);
      chmodSync(path, 0o600);
    } catch (error) {
      throw new Error(
        `the data-subject key store ${path} cannot be opened for writing (a read-only home?): ${(error as Error).message}`,
        { cause: error },
      );
    }
    db.pragma('journal_mode = DELETE');
    db.pragma('secure_delete = ON');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    db.exec(SCHEMA);
    return new SqliteDataSubjectKeys(db);
  }

  keyIdFor(dataSubject: string): Promise<string> {
    const db = this.writable();
    const create = db.transaction((subject: string): string => {
      const found = db.prepare('SELECT key_id FROM subject_keys WHERE data_subject = ?').pluck().get(subject);
      if (typeof found === 'string') return found;
      // 96 random bits: a pseudonym that says nothing about the subject.
      const keyId = `k${randomBytes(12).toString('hex')}`;
      db.prepare('INSERT INTO subject_keys (key_id, data_subject, key) VALUES (?, ?, ?)').run(
        keyId,
        subject,
        randomBytes(32),
      );
      return keyId;
    });
    return Promise.resolve(create.immediate(dataSubject));
  }

  keyIdOf(dataSubject: string): Promise<string | undefined> {
    const found = this.db?.prepare('SELECT key_id FROM subject_keys WHERE data_subject = ?').pluck().get(dataSubject);
    return Promise.resolve(typeof found === 'string' ? found : undefined);
  }

  keyOf(keyId: string): Promise<Uint8Array | undefined> {
    const found = this.db?.prepare('SELECT key FROM subject_keys WHERE key_id = ?').pluck().get(keyId);
    return Promise.resolve(found instanceof Uint8Array ? new Uint8Array(found) : undefined);
  }

  async pseudonym(keyId: string, text: string): Promise<string> {
    const key = await this.keyOf(keyId);
    if (key === undefined) throw new Error(`data-subject key ${keyId} does not exist`);
    return createHmac('sha256', key).update('pseudonym\0').update(text, 'utf8').digest('hex').slice(0, 24);
  }

  destroy(keyId: string): Promise<boolean> {
    const db = this.writable();
    const changes = db.prepare('DELETE FROM subject_keys WHERE key_id = ?').run(keyId).changes;
    // Rewrite the file without free pages, so nothing of the row lingers even in unused space.
    db.exec('VACUUM');
    return Promise.resolve(changes > 0);
  }

  close(): void {
    this.db?.close();
  }

  private writable(): Database.Database {
    if (this.db === undefined || this.db.readonly)
      throw new Error('the data-subject key store is open read-only (this command cannot create or destroy keys)');
    return this.db;
  }
}
