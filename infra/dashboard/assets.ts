// Serves the built dashboard (infra/dashboard/dist, committed; `npm run build:dashboard` rebuilds it) at `/`: the
// single page's index.html for `/`, the hashed bundles under /assets/. The files are read once at start (they are a
// few hundred KiB) and are public: the page asks for an API token and every /v1 route still checks it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../http/problem.ts';

export const DASHBOARD_DIST = fileURLToPath(new URL('./dist/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

// Scripts and styles only from this origin (no CDN, nothing inline but style attributes the chart sets), no framing.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(join(dir, 'index.html'))) return assets;
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else
        assets.set(rel, {
          body: readFileSync(join(dir, rel)),
          type: CONTENT_TYPES[extname(entry.name)] ?? 'application/octet-stream',
        });
    }
  };
  walk('');
  return assets;
}

/** GET / and GET /assets/*: the dashboard; a 503 naming the build command when it was never built. */
export function dashboardRoutes(app: FastifyInstance, dir: string = DASHBOARD_DIST): void {
  const assets = loadAssets(dir);
  const notBuilt = () =>
    new HttpProblem(503, 'dashboard_not_built', `the dashboard is not built in ${dir}: run npm run build:dashboard`);

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const index = assets.get('index.html');
    if (index === undefined) throw notBuilt();
    return reply.headers(PAGE_HEADERS).type(index.type).send(index.body);
  });

  app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, async (request, reply) => {
    // Only names the build produced are served: the map is the allow-list, so no path can leave dist/.
    const asset = assets.get(`assets/${request.params['*']}`);
    if (asset === undefined) {
      if (assets.size === 0) throw notBuilt();
      throw new HttpProblem(404, 'route_not_found', `no dashboard asset ${request.url.split('?')[0]}`);
    }
    // File names carry a content hash: a name always means the same bytes.
    return reply
      .headers({ 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' })
      .type(asset.type)
      .send(asset.body);
  });
}
