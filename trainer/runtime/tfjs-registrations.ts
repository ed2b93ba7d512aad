/**
 * Registers tfjs-core's gradient functions and chained tensor methods on OUR tfjs-core instance.
 *
 * Why this exists: the CommonJS build that Node loads for `@tensorflow/tfjs-core` (dist/tf-core.node.js) contains
 * neither the ~100 kernel gradients (`register_all_gradients`) nor the chained methods (`x.reshape()`,
 * `x.expandDims()`, ...). Normally the `@tensorflow/tfjs` umbrella package registers both; we depend on tfjs-core
 * alone, so without this module `tf.grad` fails with "gradient function not found for Sum" and the TypeScript types
 * promise methods that do not exist at run time.
 *
 * How: the registrations ship as small ES-module files in tfjs-core's dist/ folder, written with extension-less
 * relative imports that Node cannot resolve. We bundle the files under dist/gradients and dist/public/chained_ops
 * with esbuild (a dependency of tsx, which runs this project) in one call, leaving every other tfjs-core module as
 * an external that our `require` maps to the already-loaded CommonJS instance (whose exports are a superset of what
 * those files import). So there is one engine, one kernel registry, one Tensor class, and nothing from tfjs is
 * copied into this repository. The bundle is cached under node_modules/.cache so later processes skip esbuild.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Plugin } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

type ModuleExports = Record<string, unknown>;

const require = createRequire(import.meta.url);
const corePackageDir = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
const coreDist = join(corePackageDir, 'dist');
const SHIM_PREFIX = 'tfjs-core-instance:';

/** Folders whose ES modules are bundled (everything else is served by the loaded CommonJS instance). */
const BUNDLED_FOLDERS = ['gradients', join('public', 'chained_ops')];

let mergedCore: ModuleExports | undefined;

/** The CommonJS tfjs-core exports a bundled file sees when it imports `dist/<distRelative>`. */
function coreModule(distRelative: string): ModuleExports {
  switch (distRelative) {
    case 'engine':
      return { ENGINE: tf.engine() };
    case 'tensor':
      return { Tensor: tf.Tensor, Variable: tf.Variable, getGlobalTensorClass: () => tf.Tensor };
    case 'util':
      return tf.util;
    default:
      // ops/*, kernel_names, kernel_registry, base, ops/broadcast_util, ops/axis_util, ...: tf's public exports hold
      // the ops, kernel names and registries; backend_util, broadcast_util and slice_util hold the helpers.
      mergedCore ??= {
        ...(tf.slice_util as unknown as ModuleExports),
        ...(tf.broadcast_util as unknown as ModuleExports),
        ...(tf.backend_util as unknown as ModuleExports),
        ...(tf as unknown as ModuleExports),
      };
      return mergedCore;
  }
}

const externalizeCore: Plugin = {
  name: 'tfjs-core-instance',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '');
      const rel = relative(coreDist, target);
      if (BUNDLED_FOLDERS.some((folder) => rel.startsWith(folder + sep))) return { path: target + '.js' };
      return { path: SHIM_PREFIX + rel.split(sep).join('/'), external: true };
    });
  },
};

async function bundleSource(): Promise<string> {
  const version = (JSON.parse(readFileSync(join(corePackageDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const cacheFile = join(corePackageDir, '..', '..', '.cache', 'editledger', `tfjs-core-${version}-registrations.cjs`);
  if (existsSync(cacheFile)) return readFileSync(cacheFile, 'utf8');
  const entry = ['register_all_gradients.js', join('public', 'chained_ops', 'register_all_chained_ops.js')]
    .map((f) => `import ${JSON.stringify(join(coreDist, f))};`)
    .join('\n');
  const { build } = await import('esbuild'); // only on a cache miss: loading esbuild costs ~0.25 s
  const result = await build({
    stdin: { contents: entry, resolveDir: coreDist, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'absolute-entries',
        setup(b) {
          b.onResolve({ filter: /^\// }, (args) => ({ path: args.path }));
        },
      },
      externalizeCore,
    ],
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output for the tfjs-core registrations');
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, cacheFile); // atomic: concurrent processes never read a half-written cache
  } catch {
    // A read-only node_modules only costs the rebuild next time.
  }
  return code;
}

/**
 * Comparisons and logical ops have no gradient in tfjs, so a mask computed from a differentiated tensor
 * (`where(greater(x, 0), ...)`) makes tf.grad throw "gradient function not found for Greater". Their true gradient
 * is zero almost everywhere (as in TensorFlow, which treats them as non-differentiable), so register exactly that.
 */
const ZERO_GRADIENT_BINARY = ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'] as const;
const ZERO_GRADIENT_LOGICAL = ['LogicalAnd', 'LogicalOr', 'LogicalXor'] as const;
const ZERO_GRADIENT_UNARY = ['LogicalNot', 'IsNan', 'IsInf', 'IsFinite'] as const;

function registerZeroGradients(): void {
  for (const kernelName of [...ZERO_GRADIENT_BINARY, ...ZERO_GRADIENT_LOGICAL]) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
  for (const kernelName of ZERO_GRADIENT_UNARY) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (_dy, saved) => {
        const [x] = saved as [tf.Tensor];
        return { x: () => tf.zerosLike(x) };
      },
    });
  }
}

/**
 * tfjs 4.22's Cumsum gradient mishandles a negative axis: on cpu it throws, on wasm it reads out of bounds and leaves
 * the wasm heap corrupted for every later op. The gradient of an (exclusive) cumulative sum is the (exclusive)
 * cumulative sum of dy in the opposite direction; register that with the axis normalised.
 */
function registerCumsumGradient(): void {
  tf.registerGradient({
    kernelName: 'Cumsum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { axis, exclusive, reverse } = attrs as unknown as { axis: number; exclusive: boolean; reverse: boolean };
      const positiveAxis = axis < 0 ? axis + x.rank : axis;
      return { x: () => tf.cumsum(dy as tf.Tensor, positiveAxis, exclusive, !reverse) };
    },
  });
}

let registration: Promise<void> | undefined;

/** Idempotent. Does nothing when gradients are already registered (e.g. @tensorflow/tfjs or tfjs-node loaded). */
export function registerTfjsGradientsAndChainedOps(): Promise<void> {
  registration ??= (async () => {
    const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
    if (tf.getGradient('Add') !== undefined && typeof proto['expandDims'] === 'function') {
      registerZeroGradients();
      registerCumsumGradient();
      return;
    }
    const code = await bundleSource();
    const localRequire = (spec: string): unknown =>
      spec.startsWith(SHIM_PREFIX) ? coreModule(spec.slice(SHIM_PREFIX.length)) : require(spec);
    const module = { exports: {} as ModuleExports };
    // Evaluates tfjs-core's own shipped registration modules (see the header comment).
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: run tfjs's own bundled module text
    const evaluate = new Function('require', 'module', 'exports', code) as (...args: unknown[]) => void;
    evaluate(localRequire, module, module.exports);
    registerZeroGradients();
    registerCumsumGradient();
  })();
  return registration;
}
