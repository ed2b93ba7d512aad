// Progress of the evaluation that follows training (minutes for thousands of edits): a bar with the phase on a
// terminal, a few plain lines otherwise. The base and the edited model are measured in turn, 9 phases each.
import { shortVersionId } from '../../domain/model-version.ts';
import type { EvalPhase } from '../../domain/ports/model-editor.ts';
import type { CliIO } from './command.ts';
import { createProgressBar } from './format.ts';
import type { ProgressBar } from './format.ts';

/** `models`: 2 when base and edited model are measured, 1 for the base alone. */
export function evaluationProgress(
  io: CliIO,
  models: 1 | 2 = 2,
): (p: EvalPhase & { readonly versionId: string }) => void {
  let bar: ProgressBar | undefined;
  let current = '';
  let started = 0;
  return (p) => {
    const total = models * p.total;
    const done = (p.model === 'base' ? 0 : p.total) + p.index - 1;
    if (bar === undefined || p.versionId !== current || done === 0) {
      current = p.versionId;
      started = performance.now();
      bar = createProgressBar(io.stderr, `evaluating ${shortVersionId(p.versionId)}`, total);
    }
    const seconds = (performance.now() - started) / 1000;
    const eta = done > 0 ? `  ETA ${Math.ceil((seconds / done) * (total - done))} s` : '';
    bar.update(done, `${p.model} model: ${p.phase} (${p.items})${eta}`);
    if (done === total - 1) {
      // The last phase has started; the bar is closed when the caller prints the result, so finish it here.
      bar.finish(`last phase: ${p.phase}`);
      bar = undefined;
    }
  };
}
