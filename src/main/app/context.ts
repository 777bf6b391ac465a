import type { EventSink } from '../ipc/dispatch';

/**
 * What differs between the Electron app and headless hosts (tests, CLI): native
 * dialogs and Chromium's PDF printer. Services never import Electron; they get this.
 */
export interface PlatformPort {
  /** Ask the user for a folder; null when cancelled. */
  pickFolder(title: string): Promise<string | null>;
  /** Ask where to save a file; null when cancelled. */
  pickSavePath(title: string, defaultName: string): Promise<string | null>;
  /** Render a self-contained HTML document to PDF with Chromium. */
  printToPdf(html: string): Promise<Uint8Array>;
}

export interface AppPaths {
  /** Per-user writable folder (recent list, sessions index, autosave). Never a study folder. */
  userData: string;
  /** `resources/models` (manifest.json and the ONNX files). */
  modelsDir: string;
  /** The bundled sample study, or null when not installed. */
  samplePath: string | null;
}

export interface AppContext {
  version: string;
  platform: PlatformPort;
  paths: AppPaths;
  emit: EventSink;
  /** Base URL under which the renderer fetches `/instance/<id>` bytes. */
  instanceUrlBase: string;
  openSampleOnStart: boolean;
}
