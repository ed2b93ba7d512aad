// API tokens in the home (<home>/auth/tokens.json, mode 0600): only a SHA-256 of each token is stored, so the file
// grants nothing if read. A token is `elt_<id>_<secret>`: the id finds the record without scanning, the 256-bit
// secret makes a plain hash (no slow KDF) safe, and the comparison is constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { principalOf, RoleSchema } from '../../domain/access.ts';
import { ERASED } from '../../domain/personal-data.ts';
import type { Role } from '../../domain/access.ts';
import { InvalidFieldError } from '../../domain/errors.ts';
import { NotFoundError } from './errors.ts';

const TokenRecordSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: z.string(),
  role: RoleSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecordSchema>;
const TokenFileSchema = z.strictObject({ version: z.literal(1), tokens: z.array(TokenRecordSchema) });

/** What a token is shown as: never its secret or hash. */
export type TokenInfo = Omit<TokenRecord, 'sha256'>;

export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
}

export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TOKEN_FORMAT = /^elt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function tokensPath(home: string): string {
  return join(home, 'auth', 'tokens.json');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class TokenStore {
  private records: TokenRecord[] = [];
  private stamp = '';

  private constructor(private readonly file: string) {
    this.refresh();
  }

  static open(home: string): TokenStore {
    return new TokenStore(tokensPath(home));
  }

  /**
   * Re-read the file when another process changed it (`editledger token revoke` while `serve` runs). Every request
   * authenticates, so this is one stat() and no more; the inode is in the stamp because save() replaces the file by
   * rename, which a same-size rewrite within the mtime's resolution would otherwise hide.
   */
  private refresh(): void {
    const stamp = stampOf(this.file);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    if (stamp === '') {
      this.records = [];
      return;
    }
    const parsed = TokenFileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    if (!parsed.success) throw new Error(`${this.file} is not a valid token file: ${parsed.error.issues[0]?.message}`);
    this.records = parsed.data.tokens;
  }

  create(name: string, role: Role, createdBy: string, now = new Date()): { token: string; info: TokenInfo } {
    this.refresh();
    if (!TOKEN_NAME.test(name))
      throw new InvalidFieldError('name', `"${name}" must be 1-64 letters, digits, . _ @ or -, starting with one`);
    if (this.records.some((r) => r.name === name && r.revokedAt === undefined))
      throw new InvalidFieldError('name', `a token named "${name}" exists; revoke it first or pick another name`);
    const id = randomBytes(6).toString('hex');
    const token = `elt_${id}_${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = {
      id,
      name,
      role,
      sha256: sha256(token).toString('hex'),
      createdAt: now.toISOString(),
      createdBy,
    };
    this.records = [...this.records, record];
    this.save();
    return { token, info: infoOf(record) };
  }

  list(): TokenInfo[] {
    this.refresh();
    return this.records.map(infoOf);
  }

  /** Revoke by id or by name (the active token of that name). */
  revoke(idOrName: string, now = new Date()): TokenInfo {
    this.refresh();
    const record =
      this.records.find((r) => r.id === idOrName) ??
      this.records.find((r) => r.name === idOrName && r.revokedAt === undefined);
    if (record === undefined) throw new NotFoundError('token', `no token with id or name "${idOrName}"`);
    if (record.revokedAt === undefined) {
      const revoked = { ...record, revokedAt: now.toISOString() };
      this.records = this.records.map((r) => (r === record ? revoked : r));
      this.save();
      return infoOf(revoked);
    }
    return infoOf(record);
  }

  /**
   * Erasure of an actor (`token:<name>`, what every API write records): the records that name it, as the token's
   * name or as whoever created a token, take a pseudonym (`erased-<id>` and ERASED). The tokens keep working: access
   * is revoked with `revoke`, not by erasing personal data. Returns how many records changed.
   */
  redactActor(actor: string): number {
    this.refresh();
    let changed = 0;
    this.records = this.records.map((record) => {
      const named = principalOf(record.name) === actor;
      const creator = record.createdBy === actor;
      if (!named && !creator) return record;
      changed += 1;
      return { ...record, ...(named && { name: `erased-${record.id}` }), ...(creator && { createdBy: ERASED }) };
    });
    if (changed > 0) this.save();
    return changed;
  }

  /** The principal of a presented token, or undefined for an unknown, malformed or revoked one. */
  authenticate(token: string): Principal | undefined {
    this.refresh();
    const match = TOKEN_FORMAT.exec(token);
    if (match === null) return undefined;
    const record = this.records.find((r) => r.id === match[1]);
    if (record === undefined || record.revokedAt !== undefined) return undefined;
    if (!timingSafeEqual(sha256(token), Buffer.from(record.sha256, 'hex'))) return undefined;
    return { tokenId: record.id, name: record.name, role: record.role };
  }

  get size(): number {
    return this.records.filter((r) => r.revokedAt === undefined).length;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, tokens: this.records }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    this.stamp = stampOf(this.file);
  }
}

/** What identifies one version of the token file: inode, mtime and size ('' when there is no file). */
function stampOf(file: string): string {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat === undefined ? '' : `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
}

function infoOf({ sha256: _hash, ...info }: TokenRecord): TokenInfo {
  return info;
}
