// What evaluation needs per edit, and how to load it from a dataset file in LocFT's formats (ZsRE or
// CounterFact/WikiBigEdit, parsed by domain/dataset-formats.ts) plus the optional portability probes the domain
// parser does not keep: the project's world (`portability.two_hop[]` of {prompt, ground_truth}) and EasyEdit's
// (`portability: {"New Question", "New Answer"}`, or a list of them).
import { readFile } from 'node:fs/promises';
import { parseDataset } from '../../domain/dataset-formats.ts';

export interface Probe {
  readonly prompt: string;
  /** Expected answer, when the data gives one. */
  readonly answer?: string;
}

export interface EvalEdit {
  readonly prompt: string;
  readonly target: string;
  readonly rephrase: readonly string[];
  readonly locality: readonly Probe[];
  readonly portability?: readonly (Probe & { readonly answer: string })[];
}

/** Capability probes: held-out text (perplexity) and facts no edit touches (recall accuracy). */
export interface CapabilityProbes {
  readonly heldoutText: readonly string[];
  readonly facts: readonly { readonly prompt: string; readonly answer: string }[];
}

function portabilityOf(raw: unknown): Array<{ prompt: string; answer: string }> {
  if (typeof raw !== 'object' || raw === null) return [];
  const p = (raw as Record<string, unknown>)['portability'];
  const items: unknown[] = Array.isArray(p)
    ? p
    : typeof p === 'object' && p !== null && Array.isArray((p as Record<string, unknown>)['two_hop'])
      ? ((p as Record<string, unknown>)['two_hop'] as unknown[])
      : p
        ? [p]
        : [];
  const out: Array<{ prompt: string; answer: string }> = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    const prompt = r['prompt'] ?? r['New Question'];
    const answerRaw = r['ground_truth'] ?? r['answer'] ?? r['New Answer'];
    const answer: unknown = Array.isArray(answerRaw) ? (answerRaw[0] as unknown) : answerRaw;
    if (typeof prompt === 'string' && typeof answer === 'string' && prompt.trim() && answer.trim())
      out.push({ prompt, answer });
  }
  return out;
}

/** Parses a dataset's text into evaluation edits (first `limit` records when given). */
export function parseEvalEdits(text: string, limit?: number): EvalEdit[] {
  const { requests } = parseDataset(text);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raws: unknown[] = [];
  try {
    raws = body.trimStart().startsWith('[')
      ? (JSON.parse(body) as unknown[])
      : body
          .split(/\r?\n/)
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as unknown);
  } catch {
    raws = [];
  }
  const n = limit === undefined ? requests.length : Math.min(limit, requests.length);
  return requests.slice(0, n).map((r, i) => {
    const portability = portabilityOf(raws[i]);
    return {
      prompt: r.prompt,
      target: r.target,
      rephrase: r.rephrase,
      locality: r.locality.map((l) =>
        l.answer === undefined ? { prompt: l.prompt } : { prompt: l.prompt, answer: l.answer },
      ),
      ...(portability.length > 0 && { portability }),
    };
  });
}

export async function loadEvalEdits(path: string, limit?: number): Promise<EvalEdit[]> {
  return parseEvalEdits(await readFile(path, 'utf8'), limit);
}

/**
 * Capability probes from files: held-out text (one passage per non-blank line) and unedited facts (a JSON array of
 * {prompt, ground_truth | answer}). Facts whose prompt is also an edit prompt are dropped (they are edited).
 */
export async function loadCapabilityProbes(
  files: { readonly heldout?: string; readonly facts?: string },
  edits: readonly EvalEdit[],
  limits: { readonly lines?: number; readonly facts?: number } = {},
): Promise<CapabilityProbes> {
  const heldoutText =
    files.heldout === undefined
      ? []
      : (await readFile(files.heldout, 'utf8'))
          .split('\n')
          .filter((l) => l.trim().length > 0)
          .slice(0, limits.lines ?? 200);
  let facts: Array<{ prompt: string; answer: string }> = [];
  if (files.facts !== undefined) {
    const parsed = JSON.parse(await readFile(files.facts, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error(`${files.facts}: expected a JSON array of {prompt, ground_truth}`);
    const edited = new Set(edits.map((e) => e.prompt));
    facts = parsed
      .flatMap((r, i) => {
        const rec = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
        const prompt = rec['prompt'];
        const answer = rec['ground_truth'] ?? rec['answer'];
        if (typeof prompt !== 'string' || typeof answer !== 'string')
          throw new Error(`${files.facts}[${i}]: needs string "prompt" and "ground_truth" (or "answer")`);
        return edited.has(prompt) ? [] : [{ prompt, answer }];
      })
      .slice(0, limits.facts ?? 200);
  }
  return { heldoutText, facts };
}
