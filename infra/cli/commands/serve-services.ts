// The services `editledger serve` gives its HTTP API over one open model session: the ledger, the edit index, the
// model use cases, generation with one loaded model, the trainer consumer and its status, audit and erasure.
import { eraseDataSubject } from '../../../trainer/consumer/erasure.ts';
import { homePurge } from './erase.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VersionRecord } from '../../../projections/versions.ts';
import { TokenStore } from '../../auth/token-store.ts';
import { JobRegistry } from '../../http/jobs.ts';
import { createMetrics } from '../../http/metrics.ts';
import type {
  ApiServices,
  Completion,
  GenerateRequest,
  IngestionCounters,
  TrainerStatus,
} from '../../http/services.ts';
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import { checkoutVersion } from '../../../trainer/consumer/checkout-version.ts';
import type { ModelSession } from '../model-session.ts';
import { versionSigner } from '../../audit/version-signer.ts';
import { auditLedger } from '../../audit/audit-report.ts';
import { checkpointsFile, readCheckpointLines } from '../../audit/checkpoints.ts';
import { auditKeyPaths, loadPublicKey } from '../../audit/keys.ts';
import { TrainerConsumer } from '../../../trainer/consumer/trainer-consumer.ts';
import { FileCursorStore } from '../../../trainer/consumer/cursor-file.ts';
import { chainScopeOf } from '../../eventstore/open.ts';

/** One loaded model at a time for /v1/generate (the serving one, usually): loading costs more than generating. */
function generator(session: ModelSession): (version: VersionRecord, request: GenerateRequest) => Promise<Completion[]> {
  let loaded: { versionId: string; run: (r: GenerateRequest) => Promise<Completion[]> } | undefined;
  const serially = serialQueue();
  return (version, request) =>
    serially(async () => {
      if (loaded?.versionId !== version.versionId) {
        const { dir } = await checkoutVersion(session, version);
        const { initBackend } = await import('../../../trainer/runtime/backend.ts');
        const { loadLlamaModel } = await import('../../../trainer/model/llama.ts');
        const { loadHfTokenizer } = await import('../../../trainer/tokenizer/hf-tokenizer.ts');
        const { generate } = await import('../../../trainer/generate.ts');
        await initBackend();
        const [model, tokenizer] = await Promise.all([loadLlamaModel(dir), loadHfTokenizer(dir)]);
        loaded = {
          versionId: version.versionId,
          run: async (r) =>
            (
              await generate(model, tokenizer, [...r.prompts], {
                maxNewTokens: r.maxTokens,
                temperature: r.temperature,
                seed: r.seed,
              })
            ).map((g) => ({ prompt: g.prompt, completion: g.text, finishReason: g.finishReason })),
        };
      }
      return loaded.run(request);
    });
}

/** Runs each piece of work after the one before has settled (a failure does not stop the queue). */
function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
}

export interface ServiceOptions {
  /** The job registry (serve creates it first, so the session's training progress can reach it). */
  readonly jobs?: JobRegistry;
  readonly trainer: boolean;
  readonly everyEdits: number;
  readonly idleMs: number;
  readonly promote: boolean;
  readonly log: (line: string) => void;
}

/** The services the API calls, over one open model session, and the trainer consumer of this process. */
export async function createApiServices(
  session: ModelSession,
  options: ServiceOptions,
): Promise<{ services: ApiServices; consumer: TrainerConsumer; setReady: (ready: boolean) => void }> {
  const { log } = options;
  const store = session.ledger.store;
  const signHead = versionSigner(session.home, process.env, process.cwd(), store, session.log);
  const keys = auditKeyPaths(session.home, process.env, process.cwd());
  const audit = async () =>
    auditLedger(store, {
      scope: chainScopeOf(session.ledger.config.eventStore),
      fileCheckpoints: readCheckpointLines(checkpointsFile(session.home)).checkpoints,
      ...(existsSync(keys.publicKey) && { publicKey: loadPublicKey(keys.publicKey) }),
    });
  const index = await session.ledger.index();
  // One catch-up at a time: the index is a SQLite file updated in order.
  const indexQueue = serialQueue();
  const caughtUp = () => indexQueue(() => index.catchUp(store));
  const ledger = new LedgerService(store, {
    subjectKeys: session.ledger.keys,
    locateEdit: async (id) => {
      await caughtUp();
      return index.factKeyOf(id);
    },
  });
  const jobs = options.jobs ?? new JobRegistry();
  const metrics = createMetrics();
  const ingestion: IngestionCounters = { accepted: 0, rejected: 0, duplicates: 0, deadLettersDropped: 0 };
  let ready = false;

  const trainerCursor = new FileCursorStore(join(session.home, 'trainer', 'serve.checkpoint.json'));
  const consumer = new TrainerConsumer({
    store,
    materializer: session.materializer,
    cursor: trainerCursor,
    policy: { everyEdits: options.everyEdits, idleMs: options.idleMs, promote: options.promote },
    log: session.log,
    ...(signHead !== undefined && { afterVersion: signHead }),
    onRound: (r) => {
      if (r.outcome === 'materialized') metrics.versionsMaterialized.inc();
      log(
        `trainer: version #${r.version.ordinal} for the edit set at ${r.position}${r.promoted ? ', now serving' : ''}`,
      );
    },
  });
  const trainerRunning = options.trainer;
  // The trainer's lag: edit events in no version yet (after the newest version's edit set, or after this trainer's
  // cursor when that is later; a ledger trained by another trainer is not lagging). Remembered per (head, cursor),
  // so a dashboard polling /v1/status or a scraper on /metrics does not re-read a quiet ledger on every call.
  let lastStatus: { key: string; status: TrainerStatus } | undefined;
  const trainer = async (): Promise<TrainerStatus> => {
    const key = `${await store.headPosition()}:${await trainerCursor.load()}`;
    if (lastStatus?.key === key) return lastStatus.status;
    const { versions } = (await session.materializer.readModels()).versions;
    const pending = await consumer.pending(Math.max(0, ...versions.map((v) => v.position)));
    const status = { running: trainerRunning, cursor: pending.cursor, pendingEdits: pending.pending };
    lastStatus = { key, status };
    return status;
  };

  const services: ApiServices = {
    store,
    ledger,
    edits: {
      factKeyOf: async (id) => {
        await caughtUp();
        return index.factKeyOf(id.trim().toLowerCase());
      },
      editSetAt: async (position) => {
        await caughtUp();
        return index.editSetAt(position ?? index.cursor);
      },
    },
    models: session,
    generate: generator(session),
    tokens: TokenStore.open(session.home),
    jobs,
    metrics,
    trainer,
    ingestion,
    audit,
    ...(signHead !== undefined && { signHead }),
    ready: () => ready,
    erase: (request, actor) =>
      eraseDataSubject(
        {
          store,
          keys: session.ledger.keys,
          ledger,
          materializer: session.materializer,
          // The index is rebuilt in the queue the API's catch-ups use, never beside one.
          purge: homePurge(session, indexQueue),
          context: { actor, channel: 'http' },
        },
        request,
      ),
  };
  return { services, consumer, setReady: (value) => (ready = value) };
}
