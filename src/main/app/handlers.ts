import type { AppContext } from './context';
import type { InvokeHandlers } from '../ipc/dispatch';
import { createAppHandlers } from './handlers/app';
import { createStudiesHandlers } from './handlers/studies';
import { createAnalysisHandlers } from './handlers/analysis';
import { createSessionsHandlers } from './handlers/sessions';
import { createAppServices, type AppServices } from './services';

export interface AppHost {
  handlers: InvokeHandlers;
  services: AppServices;
  dispose(): Promise<void>;
}

/**
 * Builds every IPC handler over the plain-Node services. The Electron shell and the
 * e2e HTTP transport both call this, so tests run the same code the app runs.
 */
export function createAppHost(ctx: AppContext): AppHost {
  const services = createAppServices(ctx);
  const handlers: InvokeHandlers = {
    ...createAppHandlers(ctx),
    ...createStudiesHandlers(ctx, services),
    ...createAnalysisHandlers(ctx, services),
    ...createSessionsHandlers(ctx, services),
  };
  return { handlers, services, dispose: () => services.dispose() };
}
