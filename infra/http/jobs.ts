// Long operations (materialize, verify, rollback to a position) as jobs: POST answers 202 with a job resource at
// once; the work runs one job at a time (the machine trains one model at a time), and clients follow its progress
// by polling GET /v1/jobs/:id or by Server-Sent Events. Finished jobs are kept (bounded) for their results.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { NotFoundError } from '../auth/errors.ts';
import type { JobSchema } from './api-schemas.ts';
import { problemOf } from './problem.ts';

export type Job = z.infer<typeof JobSchema>;
export type JobKind = Job['kind'];
export type JobProgress = NonNullable<Job['progress']>;

/** What a job's work gets: a way to report progress. */
export interface JobContext {
  progress(update: JobProgress): void;
}

const KEEP_FINISHED = 200;

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  private readonly events = new EventEmitter();
  private tail: Promise<void> = Promise.resolve();
  private running: Job | undefined;

  constructor() {
    this.events.setMaxListeners(0);
  }

  /** Queue work; returns the job as it is now (queued). */
  submit(kind: JobKind, createdBy: string, work: (context: JobContext) => Promise<unknown>): Job {
    const job: Job = { id: randomUUID(), kind, state: 'queued', createdAt: new Date().toISOString(), createdBy };
    this.jobs.set(job.id, job);
    this.prune();
    this.tail = this.tail.then(() => this.run(job.id, work));
    return job;
  }

  get(id: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined) throw new NotFoundError('job', `no job with id ${id}`);
    return job;
  }

  list(): Job[] {
    return [...this.jobs.values()].reverse();
  }

  /** The job that is running now, if any (the current training round's progress goes to it). */
  get current(): Job | undefined {
    return this.running;
  }

  /** Report progress for the running job (used by the materializer's progress callback). */
  progress(update: JobProgress): void {
    if (this.running !== undefined) this.update(this.running.id, { progress: update });
  }

  /** Follow a job: called with its state now and after every change; returns the unsubscribe function. */
  watch(id: string, listener: (job: Job) => void): () => void {
    listener(this.get(id));
    const handler = (job: Job) => {
      if (job.id === id) listener(job);
    };
    this.events.on('change', handler);
    return () => this.events.off('change', handler);
  }

  /** Resolves when every queued job has finished (for a graceful stop). */
  async drain(): Promise<void> {
    await this.tail;
  }

  get pending(): number {
    return [...this.jobs.values()].filter((j) => j.state === 'queued' || j.state === 'running').length;
  }

  private async run(id: string, work: (context: JobContext) => Promise<unknown>): Promise<void> {
    this.running = this.update(id, { state: 'running', startedAt: new Date().toISOString() });
    try {
      const result = await work({ progress: (p) => this.update(id, { progress: p }) });
      this.update(id, { state: 'succeeded', result, finishedAt: new Date().toISOString() });
    } catch (error) {
      const { code, detail, field } = problemOf(error);
      this.update(id, {
        state: 'failed',
        error: { code, detail: detail ?? code, ...(field !== undefined && { field }) },
        finishedAt: new Date().toISOString(),
      });
    } finally {
      this.running = undefined;
    }
  }

  private update(id: string, patch: Partial<Job>): Job {
    const job = { ...this.get(id), ...patch };
    this.jobs.set(id, job);
    if (this.running?.id === id) this.running = job;
    this.events.emit('change', job);
    return job;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state === 'succeeded' || j.state === 'failed');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(job.id);
  }
}
