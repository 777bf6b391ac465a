/**
 * The preload bridge: generic on purpose. It forwards channel names and payloads to
 * the main process, which validates both directions against the shared contract, so
 * there is exactly one place where the API is defined (src/common/ipc).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { PleuraBridge } from '../common/ipc/contract';
import type { DispatchResult } from '../main/ipc/dispatch';

const bridge: PleuraBridge = {
  async invoke(channel, request) {
    const result = (await ipcRenderer.invoke('pleura:invoke', channel, request)) as DispatchResult;
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as never;
  },
  on(event, listener) {
    const wrapped = (_e: Electron.IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on('pleura:event', wrapped);
    return () => ipcRenderer.removeListener('pleura:event', wrapped);
  },
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file) || null;
    } catch {
      return null;
    }
  },
};

contextBridge.exposeInMainWorld('pleura', bridge);
