import { decodeTagged, encodeTagged } from './taggedJson';

/**
 * The browser half of the e2e transport: a `window.pleura` that implements PleuraBridge
 * (src/common/ipc/contract.ts) over POST /ipc and GET /events (Server-Sent Events), so
 * the renderer bundle is byte-for-byte the one Electron loads. Also installs the test
 * hooks (`window.__pleuraTest`): file paths for synthetic drops and CSP reports.
 *
 * `installPleuraBridge` is serialised into the page with its source text, so it must
 * reference nothing outside itself: the codec comes in as arguments (a module import
 * would be rewritten by the test runner's transform and be undefined in the page).
 */
declare const __pleuraReportCsp: (report: string) => void;

function installPleuraBridge(encode: (value: unknown) => string, decode: (text: string) => unknown): void {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  const filePaths = new Map<string, string>();
  const source = new EventSource('/events');
  // Events emitted before the stream is open would be lost, so invokes wait for it
  // (with a cap, so a broken stream shows up as missing events, not a hung app).
  const streamOpen = new Promise<void>((resolve) => {
    source.addEventListener('open', () => resolve(), { once: true });
    setTimeout(resolve, 3000);
  });
  source.addEventListener('message', (message: MessageEvent<string>) => {
    const { event, payload } = decode(message.data) as { event: string; payload: unknown };
    for (const listener of listeners.get(event) ?? []) listener(payload);
  });

  const bridge = {
    async invoke(channel: string, request: unknown): Promise<unknown> {
      await streamOpen;
      const response = await fetch('/ipc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: encode({ channel, payload: request }) });
      const result = decode(await response.text()) as { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
      if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
      return result.value;
    },
    on(event: string, listener: Listener): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    pathForFile(file: File): string | null {
      return filePaths.get(file.name) ?? null;
    },
  };
  Object.defineProperty(window, 'pleura', { value: Object.freeze(bridge), writable: false, configurable: false });
  Object.defineProperty(window, '__pleuraTest', {
    value: Object.freeze({
      /** Make pathForFile(file) answer `path` for dropped files named `name` (Electron's webUtils does this for real drops). */
      setFilePath: (name: string, path: string) => filePaths.set(name, path),
      /** The page's copy of the tagged JSON codec, so tests can check both copies agree. */
      codec: Object.freeze({ encode, decode }),
    }),
  });
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      const report = `${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`;
      if (typeof __pleuraReportCsp === 'function') void __pleuraReportCsp(report);
    },
    true,
  );
}

/** The init script text: the codec and the bridge, run before any page script. */
export function pageBridgeScript(): string {
  return [
    '(() => {',
    // Bundlers may wrap named functions in a `__name` helper; give the page a harmless one.
    'const __name = globalThis.__name || ((fn) => fn);',
    `const encodeTagged = ${encodeTagged.toString()};`,
    `const decodeTagged = ${decodeTagged.toString()};`,
    `(${installPleuraBridge.toString()})(encodeTagged, decodeTagged);`,
    '})();',
  ].join('\n');
}
