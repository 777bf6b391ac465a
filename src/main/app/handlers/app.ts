import type { AppContext } from '../context';
import type { InvokeHandlers } from '../../ipc/dispatch';

export function createAppHandlers(ctx: AppContext): Pick<InvokeHandlers, 'app:get-info'> {
  return {
    'app:get-info': async () => ({
      name: 'Pleura',
      version: ctx.version,
      platform: process.platform,
      instanceUrlBase: ctx.instanceUrlBase,
      samplePath: ctx.paths.samplePath,
      openSampleOnStart: ctx.openSampleOnStart,
    }),
  };
}
