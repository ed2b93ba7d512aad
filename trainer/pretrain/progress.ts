// A progress bar for long runs, on stderr: step, loss, tokens/s, elapsed and ETA. On a terminal it redraws one
// line; otherwise (nohup logs, CI) it prints a line every `intervalSeconds` so a log file stays readable.

export interface ProgressSnapshot {
  readonly step: number;
  readonly totalSteps: number;
  /** Recent mean training loss. */
  readonly loss: number;
  readonly lr: number;
  /** Tokens per second since this process started (resumed steps excluded). */
  readonly tokensPerSecond: number;
  /** Seconds spent in this process. */
  readonly elapsedSeconds: number;
  /** Steps done in this process (for the ETA). */
  readonly stepsThisRun: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function formatProgress(p: ProgressSnapshot, width = 24): string {
  const frac = p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 1;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const perStep = p.stepsThisRun > 0 ? p.elapsedSeconds / p.stepsThisRun : NaN;
  const eta = perStep * (p.totalSteps - p.step);
  return (
    `[pretrain] ${bar} ${p.step}/${p.totalSteps} ${(frac * 100).toFixed(1)}% | loss ${p.loss.toFixed(4)} | ` +
    `lr ${p.lr.toExponential(2)} | ${Math.round(p.tokensPerSecond)} tok/s | ${formatDuration(p.elapsedSeconds)} elapsed | ETA ${formatDuration(eta)}`
  );
}

export class ProgressBar {
  private lastPrint = -Infinity;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stderr,
    private readonly intervalSeconds = 30,
  ) {
    this.tty = (out as { isTTY?: boolean }).isTTY === true;
  }

  update(p: ProgressSnapshot, force = false): void {
    const now = performance.now() / 1000;
    if (this.tty) {
      if (!force && now - this.lastPrint < 0.2) return;
      this.out.write(`\r\x1b[K${formatProgress(p)}`);
    } else {
      if (!force && now - this.lastPrint < this.intervalSeconds) return;
      this.out.write(`${formatProgress(p)}\n`);
    }
    this.lastPrint = now;
  }

  /** Ends the redrawn line (terminal) so later output starts on a fresh line. */
  done(): void {
    if (this.tty) this.out.write('\n');
  }
}
