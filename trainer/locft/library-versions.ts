// Versions of everything that can change the float bits of a run, for the delta manifest.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { currentBackend, tf } from '../runtime/backend.ts';

const require = createRequire(import.meta.url);

/** A package's version from its package.json, found by walking up from its entry point (some block ./package.json). */
function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    try {
      let dir = dirname(require.resolve(name));
      for (let i = 0; i < 6; i++) {
        try {
          const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
            name?: string;
            version?: string;
          };
          if (pkg.name === name && pkg.version) return pkg.version;
        } catch {
          /* keep walking up */
        }
        dir = dirname(dir);
      }
    } catch {
      /* not installed */
    }
    return 'unknown';
  }
}

export interface LibraryVersions {
  readonly node: string;
  readonly tfjsCore: string;
  readonly tfjsBackendWasm: string;
  readonly tfjsBackendCpu: string;
  readonly tokenizers: string;
  /** The active backend's own description (e.g. the OpenBLAS build behind wasm-blas). */
  readonly backendDetail: string;
}

export function libraryVersions(): LibraryVersions {
  return {
    node: process.version,
    tfjsCore: tf.version_core,
    tfjsBackendWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    tfjsBackendCpu: packageVersion('@tensorflow/tfjs-backend-cpu'),
    tokenizers: packageVersion('@huggingface/tokenizers'),
    backendDetail: currentBackend()?.detail ?? tf.getBackend(),
  };
}
