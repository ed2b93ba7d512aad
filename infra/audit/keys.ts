// The audit signing key (issue 12): one Ed25519 key pair made with node:crypto. The private key signs checkpoints of
// the chain head and lives in the home (<home>/keys/audit-ed25519.pem, mode 0600) or wherever EDITLEDGER_AUDIT_KEY
// says; the public key beside it (.pub.pem) is what auditors keep and pass to `audit verify --public-key`.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EditledgerError } from '../../domain/errors.ts';
import type { ErrorKind } from '../../domain/errors.ts';

export interface AuditKeyPaths {
  readonly privateKey: string;
  readonly publicKey: string;
}

export class AuditKeyError extends EditledgerError {
  override readonly name = 'AuditKeyError';
  readonly code = 'audit_key';
  constructor(
    readonly kind: ErrorKind,
    override readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** EDITLEDGER_AUDIT_KEY (relative to the working directory) or <home>/keys/audit-ed25519.pem; public key beside it. */
export function auditKeyPaths(home: string, env: NodeJS.ProcessEnv, cwd: string): AuditKeyPaths {
  const fromEnv = env.EDITLEDGER_AUDIT_KEY?.trim();
  const privateKey = fromEnv ? resolve(cwd, fromEnv) : join(home, 'keys', 'audit-ed25519.pem');
  const publicKey = privateKey.endsWith('.pem') ? `${privateKey.slice(0, -4)}.pub.pem` : `${privateKey}.pub.pem`;
  return { privateKey, publicKey };
}

/** Short fingerprint of a public key (or of a private key's public half): sha256 of its SPKI DER bytes, 16 hex digits. Recorded in every checkpoint. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Creates the key pair; an existing private key is kept unless `force` (a new key cannot check old checkpoints). */
export function generateAuditKey(paths: AuditKeyPaths, force: boolean): { keyId: string } {
  if (!force && existsSync(paths.privateKey))
    throw new AuditKeyError(
      'conflict',
      'force',
      `${paths.privateKey} already exists; checkpoints signed with it need it to verify. Pass --force to replace it`,
    );
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(paths.privateKey), { recursive: true, mode: 0o700 });
  writeFileSync(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(paths.privateKey, 0o600); // an overwritten file keeps its old mode otherwise
  mkdirSync(dirname(paths.publicKey), { recursive: true });
  writeFileSync(paths.publicKey, publicKeyPem(publicKey), { mode: 0o644 });
  return { keyId: keyIdOf(publicKey) };
}

function readPem(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AuditKeyError(
      missing ? 'not_found' : 'unavailable',
      field,
      missing ? `no key file ${path} (create one with \`editledger audit keygen\`)` : `cannot read ${path}`,
      { cause: error },
    );
  }
}

function checkEd25519(key: KeyObject, path: string, field: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AuditKeyError(
      'invalid_input',
      field,
      `${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`,
    );
  return key;
}

export function loadPrivateKey(path: string, field = 'EDITLEDGER_AUDIT_KEY'): KeyObject {
  return loadKey(path, field, 'private');
}

/** A public key file; a private key file is accepted too (its public half is used). */
export function loadPublicKey(path: string, field = 'public-key'): KeyObject {
  return loadKey(path, field, 'public');
}

function loadKey(path: string, field: string, half: 'private' | 'public'): KeyObject {
  const pem = readPem(path, field);
  try {
    return checkEd25519(half === 'private' ? createPrivateKey(pem) : createPublicKey(pem), path, field);
  } catch (error) {
    if (error instanceof AuditKeyError) throw error;
    throw new AuditKeyError('invalid_input', field, `${path} is not a PEM ${half} key`, { cause: error });
  }
}
