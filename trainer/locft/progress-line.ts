// One human line for a training progress report: phase, epoch (and edit, depth-first), batch, loss, edits/s, ETA.
import type { LocftProgress } from './trainer.ts';

export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatProgress(p: LocftProgress): string {
  if (p.phase === 'cache')
    return `caching frozen activations ${p.batch}/${p.batches} edits  ${p.editsPerSecond.toFixed(0)} edits/s  ETA ${formatDurationMs(p.etaMs)}`;
  const edit = p.groups > 1 ? `edit ${p.group}/${p.groups}  ` : '';
  const where = p.done
    ? `done after ${p.epoch} epoch${p.epoch === 1 ? '' : 's'}`
    : `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}`;
  const eta = p.done ? `${formatDurationMs(p.elapsedMs)} total` : `ETA ${formatDurationMs(p.etaMs)}`;
  return `${edit}${where}  loss ${Number.isFinite(p.loss) ? p.loss.toFixed(4) : '-'}  ${p.editsPerSecond.toFixed(1)} edits/s  ${eta}`;
}

/**
 * Writes progress to a stream: on a terminal one redrawn line (at most every 200 ms), elsewhere one line per
 * finished epoch (and per edit-group start in depth-first), so logs stay short.
 */
export function progressWriter(stream: NodeJS.WritableStream, prefix = ''): (p: LocftProgress) => void {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let last = 0;
  return (p) => {
    const line = `${prefix}${formatProgress(p)}`;
    if (tty) {
      const now = Date.now();
      if (!p.done && now - last < 200) return;
      last = now;
      stream.write(`\r${line}\u001b[K${p.done ? '\n' : ''}`);
      return;
    }
    const endOfEpoch = p.phase === 'train' && p.batch === p.batches;
    if (p.done || (endOfEpoch && (p.groups === 1 || p.group % Math.max(1, Math.floor(p.groups / 20)) === 0)))
      stream.write(`${line}\n`);
  };
}
