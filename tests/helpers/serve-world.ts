// A running `editledger serve` for API tests: a real child process on loopback over a tiny registered base model,
// with a token of every role. One per test file (test.before), stopped with SIGKILL at the end unless a test stopped it.
import type { Role } from '../../domain/access.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { createTinyHome, tokensForEveryRole } from './tiny-home.ts';

export interface ServeWorld {
  readonly home: string;
  readonly serve: ServeProcess;
  readonly tokens: Record<Role, string>;
  close(): Promise<void>;
}

export async function startServeWorld(prefix: string): Promise<ServeWorld> {
  const tiny = await createTinyHome({ prefix, baseEnv: process.env });
  const serve = await startServe(tiny.home, ['--no-trainer']);
  return {
    home: tiny.home,
    serve,
    tokens: tokensForEveryRole(tiny.home),
    close: async () => {
      await serve.stop('SIGKILL');
      await tiny.cleanup();
    },
  };
}
