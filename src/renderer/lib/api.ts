import type { Channel, EventName, EventPayload, PleuraBridge, Request, Response } from '../../common/ipc/contract';

/**
 * Same value as BRIDGE_GLOBAL in contract.ts. Repeated here on purpose: importing a value
 * from the contract would pull zod and every schema into the renderer bundle, and zod's
 * eval probe trips the CSP (`script-src` has no 'unsafe-eval'). The main process
 * validates both directions, so the renderer needs only the types.
 */
const BRIDGE_GLOBAL = 'pleura';

/**
 * The renderer's only door to the main process: the bridge the preload exposes (or,
 * in e2e tests, the HTTP transport that implements the same contract).
 */
function bridge(): PleuraBridge {
  const found = (globalThis as unknown as Record<string, PleuraBridge | undefined>)[BRIDGE_GLOBAL];
  if (!found) throw new Error('Pleura bridge missing: the preload script did not run.');
  return found;
}

export const api = {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
    return bridge().invoke(channel, request);
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return bridge().on(event, listener);
  },
  pathForFile(file: File): string | null {
    return bridge().pathForFile(file);
  },
};
