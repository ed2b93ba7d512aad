// Byte-level building blocks shared by the BPE trainer, the encoder and tokenizer.json: GPT-2's byte <-> printable
// character table and its pre-tokenization regex. Both must be exactly those of Hugging Face's ByteLevel
// pre-tokenizer/decoder, or our ids would differ from `@huggingface/tokenizers` on the same tokenizer.json.

/**
 * GPT-2's split: contractions, letters with an optional leading space, digits likewise, other symbols likewise,
 * then whitespace (trailing runs keep their last space for the next word). Every character matches one branch,
 * so pre-tokens always concatenate back to the input.
 */
export const PRETOKENIZE_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Splits text into pre-tokens (words); BPE merges never cross their boundaries. */
export function pretokenize(text: string): string[] {
  return text.match(PRETOKENIZE_PATTERN) ?? [];
}

/**
 * GPT-2's table: printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves, the 68 others to U+0100.. in
 * byte order, so every byte is one visible BMP character (space -> 'Ġ', newline -> 'Ċ').
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(printable(b) ? b : 256 + extra++));
  return table;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const utf8 = new TextEncoder();

/**
 * UTF-8 bytes of a string. Lone surrogates (not valid Unicode) become U+FFFD's bytes, exactly as TextEncoder —
 * and therefore Hugging Face's JS ByteLevel pre-tokenizer — does; everything else round-trips.
 */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** The byte-level string of a piece of text: one table character per UTF-8 byte. */
export function toByteLevel(text: string): string {
  let out = '';
  for (const b of utf8Bytes(text)) out += BYTE_TO_CHAR[b] as string;
  return out;
}

/** Bytes of a byte-level string; throws on a character outside the table. */
export function fromByteLevel(token: string): number[] {
  const bytes: number[] = [];
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) throw new Error(`not a byte-level token: ${JSON.stringify(token)}`);
    bytes.push(b);
  }
  return bytes;
}
