// supabase-js is heavy: imported on first use only, and once. On Node 20 it warns at import time that
// Node 20 is deprecated; that notice is kept out of the action's log (the runner is not the user's).
import type { createClient } from '@supabase/supabase-js';

export type CreateClient = typeof createClient;

let createClientPromise: Promise<CreateClient> | undefined;

export function loadCreateClient(): Promise<CreateClient> {
  createClientPromise ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('Node.js 20 and below are deprecated')) return;
      warn.apply(console, args);
    };
    try {
      const mod = await import('@supabase/supabase-js');
      return mod.createClient;
    } finally {
      console.warn = warn;
    }
  })();
  return createClientPromise;
}
