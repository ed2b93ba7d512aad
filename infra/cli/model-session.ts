// Opening what the model commands need on top of a ledger session: the artifact store, the edit set source (the
// persisted edit index), the LocFT-BF editor, the materializer, a logger (stderr + <home>/logs/trainer.log) and a
// training progress bar. Registering a base and checking a version out are use cases of their own
// (trainer/consumer/register-base.ts, checkout-version.ts).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EditledgerError } from '../../domain/errors.ts';
import { shortVersionId } from '../../domain/model-version.ts';
import { resolveVersion } from '../../trainer/consumer/model-use-cases.ts';
import { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { CliIO } from './command.ts';
import { ExitCode } from './command.ts';
import { createProgressBar } from './format.ts';
import type { ProgressBar } from './format.ts';
import type { LedgerSession } from './ledger-session.ts';
import { withLedger } from './ledger-session.ts';
import { Materializer } from '../../trainer/consumer/materializer.ts';
import type { CommandContext } from '../../trainer/consumer/model-ledger.ts';
import type { VersionEditor } from '../../domain/ports/model-editor.ts';
import type { EditSetSource, LogRecord, Logger } from '../../domain/ports/trainer.ts';
import { evaluationProgress } from './eval-progress.ts';
import { chainScopeOf } from '../eventstore/open.ts';
import { checkoutVersion } from '../../trainer/consumer/checkout-version.ts';

export interface ModelSession {
  readonly ledger: LedgerSession;
  readonly home: string;
  readonly artifacts: ArtifactStore;
  readonly editSets: EditSetSource;
  readonly materializer: Materializer;
  readonly context: CommandContext;
  readonly log: Logger;
}

export interface ModelSessionOptions {
  readonly actor: string;
  /** Channel recorded on events: `cli`, `trainer`, ... */
  readonly channel: string;
  /** Training progress bar on stderr. Default true. */
  readonly progress?: boolean;
  /** Echo log lines on stderr. Default true. */
  readonly echoLog?: boolean;
  /** Also called with every training progress event (the serve process reports it on the running job). */
  readonly onTrainProgress?: (progress: TrainingProgressEvent) => void;
  /** The editor (tests inject one with a fixed backend). Default: the LocFT-BF editor. */
  readonly editor?: VersionEditor;
}

/** A logger writing JSONL to <home>/logs/trainer.log and, optionally, a human line to stderr. */
export function fileLogger(home: string, io: CliIO, echo: boolean): Logger {
  const dir = join(home, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'trainer.log');
  return (record: LogRecord) => {
    appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...record })}\n`);
    // Per-epoch progress goes to the file only; the terminal has the progress bar.
    if (echo && record['progress'] !== true)
      io.stderr.write(`editledger: ${record.level === 'info' ? '' : `${record.level}: `}${record.msg}\n`);
  };
}

export type TrainingProgressEvent = {
  versionId: string;
  edits: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  etaMs: number | undefined;
  done?: boolean;
};

/** One log line per finished epoch (epoch, loss, ETA), so the log file shows how training went. */
function epochLog(log: Logger): (p: TrainingProgressEvent) => void {
  return (p) => {
    if (p.batch !== p.batches || p.done === true) return;
    const eta = p.etaMs === undefined ? '' : `, ETA ${Math.ceil(p.etaMs / 1000)} s`;
    log({
      level: 'info',
      msg: `training ${shortVersionId(p.versionId)}: epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(5)}${eta}`,
      progress: true,
      versionId: p.versionId,
      epoch: p.epoch,
      epochs: p.epochs,
      loss: p.loss,
      etaMs: p.etaMs,
    });
  };
}

function trainingProgress(io: CliIO): (p: TrainingProgressEvent) => void {
  let bar: ProgressBar | undefined;
  let current = '';
  let lastDone = 0;
  let total = 0;
  return (p) => {
    if (p.done === true) {
      bar?.finish(
        `${p.epoch < p.epochs ? `stopped early at epoch ${p.epoch}` : `${p.epoch} epochs`}, loss ${p.loss.toFixed(4)}`,
      );
      bar = undefined;
      return;
    }
    const done = (p.epoch - 1) * p.batches + p.batch;
    if (bar === undefined || p.versionId !== current || done < lastDone) {
      current = p.versionId;
      total = p.epochs * p.batches;
      bar = createProgressBar(io.stderr, `training ${shortVersionId(p.versionId)} (${p.edits} edits)`, total);
    }
    lastDone = done;
    const eta = p.etaMs === undefined ? '' : `  ETA ${Math.ceil(p.etaMs / 1000)} s`;
    bar.update(done, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}${eta}`);
  };
}

export async function withModels<T>(
  io: CliIO,
  home: string | undefined,
  options: ModelSessionOptions,
  run: (session: ModelSession) => Promise<T>,
): Promise<T> {
  return withLedger(io, home, async (ledger) => {
    const paths = ledger.config.paths;
    const artifacts = await ArtifactStore.open(paths.artifactsDir);
    const editSets: EditSetSource = {
      async editSetAt(position) {
        const index = await ledger.index();
        if (position > index.cursor) await index.catchUp(ledger.store);
        return index.editSetAt(position);
      },
    };
    const log = fileLogger(paths.home, io, options.echoLog ?? true);
    const context: CommandContext = { actor: options.actor, channel: options.channel };
    // Frozen activations persist across runs, so a replay with a few new edits recomputes only those.
    const editor =
      options.editor ??
      new (await import('../../trainer/consumer/locft-editor.ts')).LocftEditor({
        cacheDir: join(paths.home, 'cache', 'activations'),
      });
    const materializer = new Materializer({
      store: ledger.store,
      editSets,
      artifacts,
      editor,
      context,
      log,
      chainScope: chainScopeOf(ledger.config.eventStore),
      onProgress: (() => {
        const toLog = epochLog(log);
        const toBar = options.progress === false ? undefined : trainingProgress(io);
        return (p: TrainingProgressEvent) => {
          toLog(p);
          toBar?.(p);
          options.onTrainProgress?.(p);
        };
      })(),
      ...(options.progress !== false && { onEvalPhase: evaluationProgress(io) }),
    });
    return run({ ledger, home: paths.home, artifacts, editSets, materializer, context, log });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Versions as checkpoint folders (the checkout itself: trainer/consumer/checkout-version.ts)

/** Resolves `ref` (id, prefix, #N) against the ledger. */
export { resolveVersion };

/**
 * For `editledger generate --version V`: the checkpoint folder of version V (id, unique prefix or #N) in the ledger
 * at `home` (undefined: --home / EDITLEDGER_HOME / ./.editledger). The generate command loads it as any folder.
 */

export async function resolveVersionCheckpoint(
  io: CliIO,
  home: string | undefined,
  ref: string,
): Promise<{ dir: string; versionId: string }> {
  return withModels(io, home, { actor: 'cli', channel: 'cli', progress: true }, async (session) => {
    const version = await resolveVersion(session, ref);
    const { dir } = await checkoutVersion(session, version);
    return { dir, versionId: version.versionId };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Exit codes for the model commands' own errors (the shared mapping in format.ts knows the ledger's)

/** The exit code for an error of the model commands (the shared kind mapping), or undefined for other errors. */
export async function modelExitCode(error: unknown): Promise<ExitCode | undefined> {
  const { EXIT_CODE_BY_KIND } = await import('./format.ts');
  if (error instanceof EditledgerError) return EXIT_CODE_BY_KIND[error.kind];
  return undefined;
}
