// Argument rewriting every command's argv goes through before node's parseArgs sees it.

/**
 * `--lr -1` as `--lr=-1`: node's parseArgs refuses a value that starts with a dash ("argument is ambiguous"), so a
 * negative number would get Node's message instead of ours naming the field and the allowed range (issue 18.9).
 * Only for string-typed options (number flags are read as strings) and values that are numbers.
 */
export function attachNegativeValues(
  args: readonly string[],
  options: Readonly<Record<string, { readonly type: string; readonly short?: string }>>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
