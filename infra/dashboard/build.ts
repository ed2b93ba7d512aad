// Builds the dashboard with Vite: `npm run build:dashboard` writes infra/dashboard/dist (committed, so `npm ci && npm
// start` needs no build step), and tests/dashboard-build.int.test.ts builds into a temporary folder and compares the
// files. The configuration is inline (no config file Vite could pick up from elsewhere) and fixed: no source maps,
// no build timestamps, content hashes in the asset names, so the same sources give the same bytes. The markup is
// compacted like the script is minified (compact-html.ts: the same DOM, proved against htm's parser).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';
import { compactHtmlTemplates, compactIndexHtml } from './compact-html.ts';

export const DASHBOARD_ROOT = fileURLToPath(new URL('./', import.meta.url));

/** The compaction as a Vite plugin: the sources' html`…` templates before bundling, index.html after injection. */
const compactMarkup: Plugin = {
  name: 'editledger-compact-markup',
  enforce: 'pre',
  transform(code, id) {
    return id.startsWith(join(DASHBOARD_ROOT, 'src')) && id.endsWith('.js')
      ? { code: compactHtmlTemplates(code, id), map: null }
      : null;
  },
  transformIndexHtml: { order: 'post', handler: compactIndexHtml },
};

export async function buildDashboard(outDir: string = join(DASHBOARD_ROOT, 'dist')): Promise<void> {
  await build({
    configFile: false,
    root: DASHBOARD_ROOT,
    base: '/',
    logLevel: 'warn',
    publicDir: false,
    clearScreen: false,
    envDir: false,
    plugins: [compactMarkup],
    build: {
      outDir,
      emptyOutDir: true,
      assetsDir: 'assets',
      sourcemap: false,
      minify: true,
      target: 'es2022',
      reportCompressedSize: false,
      // The CSP allows scripts from the origin only: no inlined module-preload polyfill.
      modulePreload: { polyfill: false },
      // Fonts and images stay files (the CSP allows data: images only for the favicon placeholder).
      assetsInlineLimit: 0,
    },
  });
}

/** Every file under `dir` (relative, '/'-separated) with its SHA-256: what the reproducibility test compares. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(sub, { withFileTypes: true })) {
      const path = join(sub, entry.name);
      if (entry.isDirectory()) walk(path);
      else
        out[relative(dir, path).split('\\').join('/')] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(DASHBOARD_ROOT, 'dist');
  await buildDashboard(out);
  for (const [file, hash] of Object.entries(hashTree(out))) process.stdout.write(`${hash.slice(0, 16)}  ${file}\n`);
}
