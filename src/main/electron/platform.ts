import { BrowserWindow, dialog } from 'electron';
import type { PlatformPort } from '../app/context';

/** Native dialogs and Chromium's printer, for the real app. Tests use a Node port. */
export function createElectronPlatform(getWindow: () => BrowserWindow | null): PlatformPort {
  return {
    async pickFolder(title) {
      const win = getWindow();
      const options = { title, properties: ['openDirectory' as const] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async pickSavePath(title, defaultName) {
      const win = getWindow();
      const options = { title, defaultPath: defaultName };
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return result.canceled ? null : (result.filePath ?? null);
    },
    async printToPdf(html) {
      // An offscreen, sandboxed window with JavaScript off renders the report; nothing
      // in it can reach the network (the session blocks every non-data request).
      const printer = new BrowserWindow({
        show: false,
        webPreferences: { sandbox: true, contextIsolation: true, javascript: false, offscreen: true },
      });
      try {
        await printer.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
        const pdf = await printer.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
        return new Uint8Array(pdf);
      } finally {
        printer.destroy();
      }
    },
  };
}
