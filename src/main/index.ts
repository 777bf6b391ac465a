/**
 * The Electron shell: windows, menu, the pleura:// protocol and IPC wiring. Nothing
 * else lives here; every feature is a plain-Node service under src/main/services,
 * assembled by createAppHost (the same code the e2e transport runs).
 */
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createAppHost, type AppHost } from './app/handlers';
import { dispatch } from './ipc/dispatch';
import type { EventSink } from './ipc/dispatch';
import { createElectronPlatform } from './electron/platform';
import { installMenu } from './electron/menu';
import { APP_ORIGIN, APP_SCHEME, contentSecurityPolicy } from '../common/security';
import { serveAppRequest } from './app/protocol';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
]);

let mainWindow: BrowserWindow | null = null;
let host: AppHost | null = null;

function resourcesRoot(): string {
  // Packaged: extraResources land in process.resourcesPath; in development, the repo.
  return app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
}

const emit: EventSink = (event, payload) => {
  mainWindow?.webContents.send('pleura:event', event, payload);
};

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1500,
    height: 950,
    minWidth: 1000,
    minHeight: 700,
    backgroundColor: '#0b0d10',
    title: 'Pleura',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.whenReady().then(() => {
  const sample = join(resourcesRoot(), 'sample');
  const ctx = {
    version: app.getVersion(),
    platform: createElectronPlatform(() => mainWindow),
    paths: {
      userData: app.getPath('userData'),
      modelsDir: join(resourcesRoot(), 'models'),
      samplePath: existsSync(sample) ? sample : null,
    },
    emit,
    instanceUrlBase: `${APP_ORIGIN}`,
    openSampleOnStart: process.argv.includes('--open-sample'),
  };
  host = createAppHost(ctx);
  const rendererRoot = join(__dirname, '../renderer');
  const csp = contentSecurityPolicy(APP_ORIGIN);

  // Deny every permission (camera, notifications, ...) and every request that is not ours.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_SCHEME}:`) || details.url.startsWith('devtools:') || details.url.startsWith('data:') || details.url.startsWith('blob:');
    callback({ cancel: !allowed });
  });

  protocol.handle(APP_SCHEME, async (request) => {
    const reply = await serveAppRequest(host!, rendererRoot, new URL(request.url), csp);
    return new Response(reply.body as BodyInit | null, { status: reply.status, headers: reply.headers });
  });

  ipcMain.handle('pleura:invoke', async (event, channel: unknown, payload: unknown) => {
    // Only our own page may call in: not a devtools extension, not a stray frame.
    if (!event.senderFrame || !event.senderFrame.url.startsWith(APP_ORIGIN)) {
      return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame.' } };
    }
    return dispatch(host!.handlers, String(channel), payload);
  });

  mainWindow = createWindow();
  installMenu((command) => emit('app:menu-command', { command }), () => mainWindow);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Hold the quit until the services have closed: open review sessions autosave then.
let disposed = false;
app.on('before-quit', (event) => {
  if (disposed || !host) return;
  event.preventDefault();
  disposed = true;
  void host.dispose().finally(() => app.quit());
});
