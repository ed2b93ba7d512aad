// A running `editledger serve` for API tests: a real child process on loopback over a tiny registered base model,
// with a token of every role. One per test file (useServeWorld), stopped with SIGKILL at the end unless a test stopped it.
import test from 'ava';
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

/** Starts a ServeWorld before the file's tests and closes it after them; its fields are readable once started. */
export function useServeWorld(prefix: string): ServeWorld {
  let started: ServeWorld | undefined;
  test.before(async () => {
    started = await startServeWorld(prefix);
  });
  test.after.always(async () => {
    await started?.close();
  });
  const world = (): ServeWorld => {
    if (started === undefined) throw new Error('the serve process is not started yet (it starts in test.before)');
    return started;
  };
  return {
    get home() {
      return world().home;
    },
    get serve() {
      return world().serve;
    },
    get tokens() {
      return world().tokens;
    },
    close: () => world().close(),
  };
}
