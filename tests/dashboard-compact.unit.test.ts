// The dashboard build compacts the markup of its htm templates (infra/dashboard/compact-html.ts). What it may drop is
// only what htm drops when it parses a template, so the DOM the page renders is the same: these cases pin the choices.
import test from 'ava';
import { compactHtmlTemplates, compactIndexHtml } from '../infra/dashboard/compact-html.ts';

const compact = (code: string) => compactHtmlTemplates(code, 'page.js');

test('indentation and line breaks between tags go; a line break between attributes becomes one space', (t) => {
  const source = 'const v = html`\n  <ul\n    class="list">\n    <li>${a}</li>\n    <li>b</li>\n  </ul>\n`;\n';
  t.is(compact(source), 'const v = html`<ul class="list"><li>${a}</li><li>b</li></ul>`;\n');
});

test('a line break inside text is kept: htm keeps it, so removing it would change the text node', (t) => {
  const source = 'html`<p>one\n  two</p>`';
  t.is(compact(source), source);
});

test('white space next to a field is kept where htm keeps it as text', (t) => {
  t.is(compact('html`<p>\n  Count: ${n}\n</p>`'), 'html`<p>Count: ${n}</p>`');
  t.is(compact('html`<p>${a} ${b}</p>`'), 'html`<p>${a} ${b}</p>`');
});

test('templates nested in fields are compacted too; other tags, plain strings and escaped templates are not', (t) => {
  const nested = 'html`<ul>\n  ${xs.map((x) => html`\n    <li>${x}</li>\n  `)}\n</ul>`';
  t.is(compact(nested), 'html`<ul>${xs.map((x) => html`<li>${x}</li>`)}</ul>`');
  const other = 'css`\n  a {\n    color: red;\n  }\n`; const s = `\n  <b>\n`;';
  t.is(compact(other), other);
  const escaped = 'html`<pre>\\n\n  <b>x</b>\n</pre>`';
  t.is(compact(escaped), escaped);
});

test('index.html loses comments and the white space between tags, and ends with one line break', (t) => {
  const page = '<!doctype html>\n<html>\n  <head>\n    <!-- why -->\n    <title>x y</title>\n  </head>\n</html>\n';
  t.is(compactIndexHtml(page), '<!doctype html><html><head><title>x y</title></head></html>\n');
});
