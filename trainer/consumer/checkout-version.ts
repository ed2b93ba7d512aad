// "Check a version out" (generate --version, the demo's answers, serve's generator): the full Hugging Face
// checkpoint folder of a version (base + delta) under <home>/checkouts/<versionId>/, from the verified artifact.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shortVersionId } from '../../domain/model-version.ts';
import type { VersionRecord } from '../../projections/versions.ts';
import { writeHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import type { Materializer } from './materializer.ts';
import { assertNotRetired } from './model-use-cases.ts';
import { DELTA_FILE, readVersionCheckpoint } from './version-model.ts';

/** Where checkouts go and what verifies (and rebuilds) the artifact first. */
export interface CheckoutPorts {
  readonly home: string;
  readonly materializer: Materializer;
}

/**
 * A full HF checkpoint folder of a version (base + delta), under <home>/checkouts/<versionId>/, written to a temp
 * folder and renamed. The artifact is verified first (against the ledger) and rebuilt from the ledger if corrupted.
 */
export async function checkoutVersion(
  session: CheckoutPorts,
  version: VersionRecord,
): Promise<{ dir: string; rebuilt: boolean }> {
  assertNotRetired(version);
  const dir = join(session.home, 'checkouts', version.versionId);
  const { artifact, rebuilt } = await session.materializer.ensureArtifact(version);
  // Written fresh from the verified artifact every time: a checkout folder (and its marker) can be replaced by
  // anyone who can write the home, so it is never trusted (issue 12: a folder swapped for the base weights would
  // otherwise serve the unedited base as this version).
  const base = (await session.materializer.readModels()).state.bases.get(version.baseModelId);
  if (base === undefined)
    throw new Error(
      `baseModelId: base ${version.baseModelId} of version ${shortVersionId(version.versionId)} is not registered`,
    );
  const baseDir = await session.materializer.baseDir(base);
  const checkpoint = await readVersionCheckpoint(baseDir, artifact.files.get(DELTA_FILE));
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(session.home, 'checkouts'), { recursive: true });
  const hash = await writeHfCheckpoint(tmp, {
    rawConfig: checkpoint.rawConfig,
    tensors: checkpoint.tensors,
    tokenizerFrom: baseDir,
  });
  await writeFile(
    join(tmp, 'editledger-version.json'),
    `${JSON.stringify({ versionId: version.versionId, artifactSha256: version.artifactSha256, checkpointHash: hash }, null, 2)}\n`,
  );
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(tmp, dir);
  } catch (error) {
    // Another process checked the same version out meanwhile: theirs is as good as ours.
    await rm(tmp, { recursive: true, force: true });
    if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  return { dir, rebuilt };
}
