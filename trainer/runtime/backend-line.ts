/**
 * The one line `initBackend('auto')` prints on stderr. Short by default (which backend, which matmul engine, threads);
 * the full description (library builds, CPU, and why each faster backend was skipped; ~600 characters) with
 * EDITLEDGER_VERBOSE=1 or the CLI's --verbose. No tfjs import: the CLI entry point uses takeVerboseFlag before it
 * loads any command.
 */

/** The parts of BackendInfo the line shows (backend.ts). */
export interface BackendLineInfo {
  readonly name: string;
  readonly summary: string;
  readonly detail: string;
  readonly blas: boolean;
}

/** EDITLEDGER_VERBOSE is 1/true/yes. */
export function verboseRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['EDITLEDGER_VERBOSE']?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

/**
 * Removes a global `--verbose` from CLI arguments (not after a `--` terminator) and sets EDITLEDGER_VERBOSE=1 in
 * `env` when it was there, so every command (and any child process it starts) prints verbose details.
 */
export function takeVerboseFlag(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  if (!head.includes('--verbose')) return [...argv];
  env['EDITLEDGER_VERBOSE'] = '1';
  return [...head.filter((a) => a !== '--verbose'), ...(end === -1 ? [] : argv.slice(end))];
}

/** The stderr line (without newline) for the backend `auto` chose, given what it skipped on the way. */
export function backendLine(info: BackendLineInfo, skipped: readonly string[], verbose: boolean): string {
  if (verbose) {
    const why = skipped.length ? ` (skipped: ${skipped.join('; ')})` : '';
    return `editledger: compute backend ${info.name}: ${info.detail}${why}`;
  }
  // A plain wasm/cpu choice is the slow path: say where the reason is.
  const hint = info.blas ? '' : ' (EDITLEDGER_VERBOSE=1: why no native)';
  return `editledger: backend ${info.name}: ${info.summary}${hint}`;
}
