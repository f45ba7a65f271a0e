import type { Env as WorkerEnv } from '../src/env';

// `env` from cloudflare:test carries the Worker's bindings.
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
