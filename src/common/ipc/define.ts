import type { z } from 'zod';

/**
 * One request/response channel of the IPC contract. Both directions are zod
 * schemas: the main process validates what the renderer sends and what it answers,
 * so a bug on either side is caught at the boundary, not deep inside a service.
 */
export interface InvokeSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
}

export function invoke<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res): InvokeSpec<Req, Res> {
  return { request, response };
}

export type InvokeMap = Record<string, InvokeSpec>;
export type EventMap = Record<string, z.ZodType>;
