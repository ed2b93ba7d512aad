// Build-time compaction of the dashboard's markup, the HTML counterpart of minifying the script: the minifier keeps
// template literals as written, so every htm`html` template reached the bundle with its source indentation and line
// breaks. This drops the line-broken white space that htm itself throws away when it parses a template, and proves it
// for each template: htm's own parser (htm/src/build.mjs, the one the bundle runs) must give the same operation list
// for the compacted text as for the original, else that piece of white space is kept. So the rendered DOM is the same
// by construction; only the bytes of dist/ change.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

// htm's exports map offers no subpath for its parser, so it is loaded by file, next to the package's dist/ folder.
const htmDist = dirname(fileURLToPath(import.meta.resolve('htm')));
const htmParser = (await import(pathToFileURL(join(htmDist, '..', 'src', 'build.mjs')).href)) as {
  build: (this: unknown, statics: readonly string[]) => unknown;
};

/** htm's operation list for template statics (field slots are indices, so no values are needed). */
const parseTemplate = htmParser.build;
const opsOf = (statics: readonly string[]): string =>
  JSON.stringify(withoutWorkspace(parseTemplate.call(null, statics)));

/** An operation list without slot 0 of each (nested) list: htm's workspace, which points back at the parent list. */
function withoutWorkspace(ops: unknown): unknown {
  return Array.isArray(ops) ? ops.slice(1).map(withoutWorkspace) : ops;
}

interface Piece {
  start: number; // source offset of the first character of the literal text (after ` or })
  end: number; // source offset just past it (before ${ or `)
  text: string;
}

/** The literal text pieces of every html`…` template in `code`, outer and nested alike (their ranges never overlap). */
function htmlTemplates(code: string, fileName: string): Piece[][] {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const templates: Piece[][] = [];
  const piece = (node: ts.Node, closeLength: number): Piece => {
    const start = node.getStart(source) + 1; // past the opening ` or }
    const end = node.getEnd() - closeLength; // before the closing ` or ${
    return { start, end, text: code.slice(start, end) };
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'html') {
      const template = node.template;
      templates.push(
        ts.isNoSubstitutionTemplateLiteral(template)
          ? [piece(template, 1)]
          : [
              piece(template.head, 2),
              ...template.templateSpans.map((span) => piece(span.literal, ts.isTemplateTail(span.literal) ? 1 : 2)),
            ],
      );
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return templates;
}

/**
 * Each run of white space holding a line break becomes nothing, else one space, else stays: the first choice under
 * which htm still parses the template to the same operations. Pieces with escapes are left alone (their source text
 * is not the string htm sees).
 */
function compactTemplate(pieces: Piece[]): string[] {
  const texts = pieces.map((p) => p.text);
  if (texts.some((t) => t.includes('\\') || t.includes('\r'))) return texts;
  const reference = opsOf(texts);
  texts.forEach((original, i) => {
    let text = original;
    let searchFrom = 0;
    for (let match = /\s*\n\s*/.exec(text); match !== null; match = /\s*\n\s*/.exec(text.slice(searchFrom))) {
      const at = searchFrom + match.index;
      const before = text.slice(0, at);
      const after = text.slice(at + match[0].length);
      const kept = match[0];
      const chosen =
        ['', ' '].find((r) => opsOf(texts.map((t, j) => (j === i ? before + r + after : t))) === reference) ?? kept;
      text = before + chosen + after;
      texts[i] = text;
      searchFrom = at + chosen.length;
    }
  });
  return texts;
}

/** `code` with every html`…` template compacted; the rest of the source untouched. */
export function compactHtmlTemplates(code: string, fileName: string): string {
  const edits = htmlTemplates(code, fileName).flatMap((pieces) => {
    const compacted = compactTemplate(pieces);
    return pieces.map((p, i) => ({ ...p, text: compacted[i] }));
  });
  let out = code;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** index.html without comments and without the line-broken white space between tags (the parser drops it there). */
export function compactIndexHtml(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s*\n\s*</g, '><')
    .trim()
    .concat('\n');
}
