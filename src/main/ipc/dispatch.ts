import type { z } from 'zod';
import { invokes, type Channel, type EventName, type EventPayload, type Invokes, type IpcErrorPayload, type Response } from '../../common/ipc/contract';

export type InvokeHandler<C extends Channel> = (request: z.output<Invokes[C]['request']>) => Promise<Response<C>>;
export type InvokeHandlers = { [C in Channel]: InvokeHandler<C> };
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** An error whose message is meant for the user; other errors are reported generically. */
export class UserFacingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: IpcErrorPayload };

/**
 * Runs one IPC call: unknown channels and malformed payloads are rejected before any
 * service sees them, and a handler's answer is validated before it leaves the process.
 * Shared by the Electron shell and the e2e HTTP transport, so tests exercise this path.
 */
export async function dispatch(handlers: InvokeHandlers, channel: string, payload: unknown): Promise<DispatchResult> {
  if (!Object.hasOwn(invokes, channel)) {
    return { ok: false, error: { code: 'unknown-channel', message: `Unknown IPC channel "${channel}".` } };
  }
  const name = channel as Channel;
  const spec = invokes[name];
  const parsed = spec.request.safeParse(payload);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-request', message: `Invalid request for ${name}: ${parsed.error.message}` } };
  }
  try {
    const handler = handlers[name] as (request: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.response.safeParse(value);
    if (!checked.success) {
      console.error(`[ipc] ${name} produced an invalid response`, checked.error);
      return { ok: false, error: { code: 'invalid-response', message: `Internal error in ${name}: invalid response.` } };
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    if (error instanceof UserFacingError) return { ok: false, error: { code: error.code, message: error.message } };
    console.error(`[ipc] ${name} failed`, error);
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'internal', message } };
  }
}
