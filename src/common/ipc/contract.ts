/**
 * The one typed IPC contract between the renderer and the main process.
 * Each feature owns a map of channels in its own file; this module joins them.
 * The preload bridge is generic: it forwards channel names and payloads, and the
 * main process validates both directions against these schemas.
 */
import type { z } from 'zod';
import { appEvents, appInvokes } from './app';
import { studiesEvents, studiesInvokes } from './studies';
import { analysisEvents, analysisInvokes } from './analysis';
import { sessionsEvents, sessionsInvokes } from './sessions';

export const invokes = {
  ...appInvokes,
  ...studiesInvokes,
  ...analysisInvokes,
  ...sessionsInvokes,
};

export const events = {
  ...appEvents,
  ...studiesEvents,
  ...analysisEvents,
  ...sessionsEvents,
};

export type Invokes = typeof invokes;
export type Channel = keyof Invokes;
export type Request<C extends Channel> = z.input<Invokes[C]['request']>;
export type Response<C extends Channel> = z.output<Invokes[C]['response']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** What the preload exposes on `window.pleura`; the e2e transport implements the same. */
export interface PleuraBridge {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Absolute paths of files dropped on the window (Electron's webUtils); null elsewhere. */
  pathForFile(file: File): string | null;
}

/** Error shape returned across IPC: a message a clinician can read, and a code. */
export interface IpcErrorPayload {
  code: string;
  message: string;
}

export const BRIDGE_GLOBAL = 'pleura';
