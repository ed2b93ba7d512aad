// A content-addressed folder of model artifacts (default <home>/artifacts/):
//
//   sha256/<hex>/              one artifact, named by the sha256 of its PRIMARY file (e.g. delta.safetensors)
//       <primary file>
//       <other files>          e.g. manifest.json of the run that produced it
//       artifact.json          {format, sha256, primary, files: {name: sha256}}: what a reader verifies
//   tmp/<pid>-<random>/        a write in progress; never read
//   corrupt/<hex>-<time>/      an artifact that failed verification, moved aside (kept for inspection)
//
// Writes are atomic: every file is written and fsynced in a temp folder, the folder is fsynced, renamed into
// place, and the parent fsynced. A reader (or a process killed with SIGKILL mid-write) never sees half an
// artifact. Loads re-hash every file, so a corrupted artifact is detected and reported (CorruptArtifactError),
// and the caller can rebuild it from the ledger. The primary file's hash is its name, so two writers producing
// the same bytes (concurrent trainers, a rebuild) converge on one folder.
import { defineError } from '../../domain/errors.ts';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { processAlive } from '../../trainer/runtime/process-alive.ts';

const FORMAT = 'editledger-artifact/1';
const DESCRIPTOR = 'artifact.json';
const SHA256 = /^[0-9a-f]{64}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

const DescriptorSchema = z.strictObject({
  format: z.literal(FORMAT),
  sha256: z.string().regex(SHA256),
  primary: z.string().regex(FILE_NAME),
  files: z.record(z.string().regex(FILE_NAME), z.string().regex(SHA256)),
});
type Descriptor = z.infer<typeof DescriptorSchema>;

export class ArtifactNotFoundError extends defineError('artifact_not_found', 'not_found', (sha256: string) => ({
  message: `artifact sha256:${sha256} is not in the artifact store`,
  sha256,
})) {}

/** The artifact exists but its bytes do not match its hashes (or its descriptor is unreadable). */
export class CorruptArtifactError extends defineError(
  'artifact_corrupted',
  'internal',
  (sha256: string, problem: string) => ({
    message: `artifact sha256:${sha256} is corrupted: ${problem}`,
    sha256,
    problem,
  }),
) {}

export interface PutArtifactInput {
  /** The file whose sha256 names the artifact. */
  readonly primary: string;
  /** Every file of the artifact (the primary included), by name. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface PutArtifactResult {
  readonly sha256: string;
  readonly dir: string;
  /** True when an intact artifact with these bytes was already stored (this write was discarded). */
  readonly reused: boolean;
  /** Set when a corrupted artifact with this hash was found and replaced. */
  readonly replacedCorrupt?: string;
}

export interface LoadedArtifact {
  readonly sha256: string;
  readonly dir: string;
  readonly primary: string;
  /** Every file, verified. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export type VerifyResult =
  { readonly ok: true } | { readonly ok: false; readonly missing: boolean; readonly problem: string };

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function artifactUri(sha256: string): string {
  return `sha256:${sha256}`;
}

/** The hash in an artifact URI (`sha256:<hex>`), or an error naming the field. */
export function parseArtifactUri(uri: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(uri);
  if (!match) throw new Error(`artifactUri: "${uri}" is not of the form sha256:<64 hex>`);
  return match[1]!;
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class ArtifactStore {
  private constructor(readonly root: string) {}

  /** Opens (creating) the store and removes temp folders left by processes that no longer run. */
  static async open(root: string): Promise<ArtifactStore> {
    await mkdir(join(root, 'sha256'), { recursive: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    const store = new ArtifactStore(root);
    await store.sweepTemp();
    return store;
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`sha256: "${sha256}" is not a lower-case hex sha256`);
    return join(this.root, 'sha256', sha256);
  }

  private async sweepTemp(): Promise<void> {
    for (const name of await readdir(join(this.root, 'tmp'))) {
      const pid = Number(name.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) continue;
      if (pid === process.pid) continue;
      await rm(join(this.root, 'tmp', name), { recursive: true, force: true });
    }
  }

  /** Stores an artifact atomically; returns its hash and folder. */
  async put(input: PutArtifactInput): Promise<PutArtifactResult> {
    const primaryBytes = input.files.get(input.primary);
    if (primaryBytes === undefined) throw new Error(`primary: "${input.primary}" is not among the artifact's files`);
    const files: Record<string, string> = {};
    for (const [name, bytes] of input.files) {
      if (!FILE_NAME.test(name) || name === DESCRIPTOR)
        throw new Error(`files: "${name}" is not an allowed artifact file name`);
      files[name] = sha256Bytes(bytes);
    }
    const sha256 = files[input.primary]!;
    const final = this.pathOf(sha256);
    if ((await this.verify(sha256)).ok) return { sha256, dir: final, reused: true };

    const tmp = join(this.root, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    try {
      for (const [name, bytes] of input.files) await writeDurably(join(tmp, name), bytes);
      const descriptor: Descriptor = { format: FORMAT, sha256, primary: input.primary, files };
      await writeDurably(join(tmp, DESCRIPTOR), Buffer.from(JSON.stringify(descriptor, null, 2) + '\n'));
      await syncDir(tmp);
      let replacedCorrupt: string | undefined;
      if (await exists(final)) {
        // Someone else got there first (reuse theirs if intact), or a damaged copy sits there (move it aside).
        const check = await this.verify(sha256);
        if (check.ok) return { sha256, dir: final, reused: true };
        replacedCorrupt = await this.quarantine(sha256).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined; // a concurrent writer moved it aside already
          throw error;
        });
      }
      try {
        await rename(tmp, final);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await this.verify(sha256)).ok)
          return { sha256, dir: final, reused: true };
        throw error;
      }
      await syncDir(join(this.root, 'sha256'));
      return replacedCorrupt === undefined
        ? { sha256, dir: final, reused: false }
        : { sha256, dir: final, reused: false, replacedCorrupt };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Reads and verifies an artifact. ArtifactNotFoundError / CorruptArtifactError otherwise. */
  async load(sha256: string): Promise<LoadedArtifact> {
    const dir = this.pathOf(sha256);
    if (!(await exists(dir))) throw new ArtifactNotFoundError(sha256);
    let descriptor: Descriptor;
    try {
      descriptor = DescriptorSchema.parse(JSON.parse(await readFile(join(dir, DESCRIPTOR), 'utf8')));
    } catch (error) {
      throw new CorruptArtifactError(
        sha256,
        `${DESCRIPTOR} is unreadable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      );
    }
    if (descriptor.sha256 !== sha256 || descriptor.files[descriptor.primary] !== sha256) {
      throw new CorruptArtifactError(sha256, `${DESCRIPTOR} describes another artifact`);
    }
    const files = new Map<string, Uint8Array>();
    for (const [name, expected] of Object.entries(descriptor.files)) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(join(dir, name));
      } catch {
        throw new CorruptArtifactError(sha256, `file ${name} is missing`);
      }
      const actual = sha256Bytes(bytes);
      if (actual !== expected)
        throw new CorruptArtifactError(
          sha256,
          `file ${name} has sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…`,
        );
      files.set(name, bytes);
    }
    return { sha256, dir, primary: descriptor.primary, files };
  }

  async verify(sha256: string): Promise<VerifyResult> {
    try {
      await this.load(sha256);
      return { ok: true };
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return { ok: false, missing: true, problem: error.message };
      if (error instanceof CorruptArtifactError) return { ok: false, missing: false, problem: error.problem };
      throw error;
    }
  }

  /** Moves a (corrupted) artifact out of the way; returns where it went. */
  async quarantine(sha256: string): Promise<string> {
    await mkdir(join(this.root, 'corrupt'), { recursive: true });
    const aside = join(this.root, 'corrupt', `${sha256}-${Date.now()}-${randomBytes(3).toString('hex')}`);
    await rename(this.pathOf(sha256), aside);
    await syncDir(join(this.root, 'sha256'));
    return aside;
  }

  /** Delete an artifact for good (erasure: its weights encode erased data); false when it was not stored. */
  async remove(sha256: string): Promise<boolean> {
    const dir = this.pathOf(sha256);
    try {
      await stat(dir);
    } catch {
      return false;
    }
    await rm(dir, { recursive: true, force: true });
    await syncDir(join(this.root, 'sha256'));
    return true;
  }

  /** Hashes of every stored artifact folder (not verified). */
  async list(): Promise<string[]> {
    return (await readdir(join(this.root, 'sha256'))).filter((name) => SHA256.test(name)).sort();
  }
}
