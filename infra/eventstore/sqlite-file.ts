// The SQLite store's file: its schema, the checks made before anything is written to it, the read-only
// connection, and how SQLite's errors are told to the caller (split from sqlite-event-store.ts, which appends and
// reads).
import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { EventStoreCorruptedError, EventStoreUnavailableError } from './errors.ts';
import { addChainColumn, CHAIN_SCHEMA_VERSION, hasChainColumn } from './sqlite-chain.ts';

/** 'EDLG': marks the file as an editledger event store in the SQLite header. */
const APPLICATION_ID = 0x45444c47;
const SCHEMA_VERSION = CHAIN_SCHEMA_VERSION;
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY,
    stream      TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    id          TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    chain       TEXT,
    CHECK (position > 0 AND revision >= 0)
  ) STRICT;
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream, revision);
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (id);
`;
export const BASE_COLUMNS = 'position, stream, revision, id, type, data, metadata, recorded_at';
export const COLUMNS = `${BASE_COLUMNS}, chain`;
/** A version-1 file opened read-only cannot be upgraded: it reads without links. */
export const LEGACY_COLUMNS = `${BASE_COLUMNS}, NULL AS chain`;

/**
 * A read-only connection. SQLite reads a WAL-mode file read-only only if it can use (or create) the -shm file
 * beside it; in a folder the user cannot write, after the last writer closed cleanly (which removes -wal and
 * -shm), it refuses with SQLITE_READONLY_DIRECTORY. Then every committed byte is in the main file, and a copy of
 * it in memory, marked as a rollback-journal file (header bytes 18-19), reads the same events.
 */
export function openReadOnly(path: string, timeout: number): Database.Database {
  try {
    const db = new Database(path, { timeout, readonly: true, fileMustExist: true });
    db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get(); // the WAL index is opened on the first read
    return db;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const walPending = (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0;
    if (!(code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_CANTOPEN') || walPending) throw error;
    const bytes = readFileSync(path);
    if (bytes.length >= 20) {
      bytes[18] = 1;
      bytes[19] = 1;
    }
    return new Database(bytes, { readonly: true });
  }
}

/**
 * Reads the header and schema before anything writes, so a file that is not a database (or is truncated, or belongs
 * to another application) is reported and left exactly as it was; then prepares it. Returns whether its events
 * table has the chain column.
 */
export function initialise(db: Database.Database, path: string, integrityCheck: boolean, readOnly: boolean): boolean {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
  const ours = applicationId === APPLICATION_ID;
  if (!ours && (tables.length > 0 || applicationId !== 0)) {
    throw new EventStoreCorruptedError(
      path,
      `is a SQLite database of another application (application_id ${applicationId}, tables: ${tables.join(', ') || 'none'}), not an editledger event store`,
    );
  }
  if (ours) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new EventStoreCorruptedError(
        path,
        `has schema version ${version}, newer than this editledger understands (${SCHEMA_VERSION})`,
      );
    if (!tables.includes('events'))
      throw new EventStoreCorruptedError(path, 'is marked as an editledger event store but has no events table');
  }
  if (integrityCheck) {
    const problems = db.prepare<[], string>('PRAGMA quick_check').pluck().all();
    if (problems.length !== 1 || problems[0] !== 'ok')
      throw new EventStoreCorruptedError(path, `failed SQLite's integrity check: ${problems.slice(0, 5).join('; ')}`);
  }
  if (readOnly) {
    if (!ours) throw new EventStoreCorruptedError(path, 'is empty: not an editledger event store yet');
    const hasChain = hasChainColumn(db);
    db.prepare(`SELECT ${hasChain ? COLUMNS : LEGACY_COLUMNS} FROM events ORDER BY position DESC LIMIT 1`).get();
    return hasChain;
  }
  const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  if (mode !== 'wal' && path !== ':memory:') {
    throw new EventStoreUnavailableError(
      `event store "${path}": cannot switch to WAL journaling (got "${mode}"); is it on a filesystem without shared-memory locks?`,
    );
  }
  db.pragma('synchronous = FULL');
  if (!ours) {
    db.transaction(() => {
      db.exec(SCHEMA);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } else {
    // A ledger from before the chain: chain it once. Re-checked under the write lock, as another process may be
    // doing the same right now.
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) >= CHAIN_SCHEMA_VERSION) return;
      addChainColumn(db);
      db.pragma(`user_version = ${CHAIN_SCHEMA_VERSION}`);
    }).immediate();
  }
  // Touch the newest row: a file cut short usually fails here rather than at the first append.
  db.prepare(`SELECT ${COLUMNS} FROM events ORDER BY position DESC LIMIT 1`).get();
  return true;
}

export function translateSqliteError(err: unknown, path: string): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new EventStoreCorruptedError(
      path,
      `is not a readable editledger database: ${err.message} (${code}); restore it from a backup or move it aside`,
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return new EventStoreUnavailableError(
      `event store "${path}" is locked by another process for longer than the busy timeout: ${err.message}`,
      { cause: err },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_FULL' ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return new EventStoreUnavailableError(`event store "${path}": ${err.message} (${code})`, { cause: err });
  }
  return err;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
