import { z } from 'zod';
import { invoke } from './define';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  /** Base URL the renderer prefixes to `/instance/<id>` to fetch DICOM bytes. */
  instanceUrlBase: z.string(),
  /** Folder of the bundled sample study, when it is installed. */
  samplePath: z.string().nullable(),
  /** True when the app was started with --open-sample (the README's first command). */
  openSampleOnStart: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appInvokes = {
  'app:get-info': invoke(z.void().or(z.undefined()), AppInfo),
};

export const appEvents = {
  /** A menu item the renderer should act on (open folder, help, ...). */
  'app:menu-command': z.object({ command: z.enum(['open-folder', 'open-sample', 'show-help', 'analyze', 'reset-view']) }),
};
