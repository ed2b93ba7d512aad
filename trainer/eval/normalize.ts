// Answer normalisation for exact match, as the LocFT authors (and SQuAD) do it: lower-case, drop ASCII
// punctuation, drop the articles a/an/the, squeeze whitespace. Order matters ("The." -> "the" -> "").

const ASCII_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase();
  let noPunct = '';
  for (const ch of lower) if (!ASCII_PUNCTUATION.has(ch)) noPunct += ch;
  const noArticles = noPunct.replace(/\b(a|an|the)\b/g, ' ');
  return noArticles
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .join(' ');
}

/** Normalised exact match of a generated answer against the expected one. */
export function exactMatch(generated: string, expected: string): boolean {
  return normalizeAnswer(generated) === normalizeAnswer(expected);
}
