/**
 * e2e transport: runs the REAL main-process host (createAppHost) behind a local HTTP
 * server and drives the REAL built renderer (out/renderer, built by `npm run test:e2e`)
 * in headless Debian Chromium. Electron itself cannot run here, so this replaces only
 * the Electron shell: IPC goes over HTTP through the same `dispatch`, bytes through the
 * same `serveAppRequest`, with the same CSP.
 *
 * API (everything a test needs):
 *
 *   const app = await startTestApp({ samplePath, openSampleOnStart, viewport, userData, initScripts });
 *   app.page              playwright-core Page with the app loaded (window.pleura injected)
 *   app.baseUrl           http://127.0.0.1:<port>
 *   app.host              the AppHost (handlers + services) the page talks to
 *   app.platform          queue answers for native dialogs:
 *                           app.platform.answerPickFolder('/abs/dir' | null)
 *                           app.platform.answerPickSavePath('/abs/file.pdf' | null)
 *                         (an unanswered dialog behaves as cancelled and is recorded in
 *                          app.platform.unansweredDialogs)
 *   app.events            every event the host emitted, in order: { event, payload }
 *   app.invoke(ch, req)   call a channel from Node through the same dispatch (setup)
 *   app.emit(ev, payload) emit an event through the host's own sink (e.g. 'app:menu-command')
 *   app.problems(ignore?) console errors, uncaught page errors, CSP violations, failed
 *                         requests; tests assert it is empty: expect(app.problems()).toEqual([]).
 *                         `ignore` (RegExp[]) drops known, harmless messages; say why at the call.
 *   app.dropPath(selector, absolutePath)  simulate dropping a file/folder from the OS
 *   app.close()           closes page, browser, server and host
 *
 * Screenshots and pixel statistics live in ./screenshots.ts.
 * Several test files may each start their own app; within a file, share one (beforeAll).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { createAppHost, type AppHost } from '../../../src/main/app/handlers';
import type { AppContext, PlatformPort } from '../../../src/main/app/context';
import { dispatch, type EventSink } from '../../../src/main/ipc/dispatch';
import { serveAppRequest } from '../../../src/main/app/protocol';
import { contentSecurityPolicy } from '../../../src/common/security';
import type { Channel, EventName, Request, Response } from '../../../src/common/ipc/contract';
import { decodeTagged, encodeTagged } from './taggedJson';
import { pageBridgeScript } from './pageBridge';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const RENDERER_ROOT = join(REPO_ROOT, 'out/renderer');
/** The bundled sample study when the ingest feature has installed it, else null. */
export const DEFAULT_SAMPLE_PATH: string | null = existsSync(join(REPO_ROOT, 'resources/sample')) ? join(REPO_ROOT, 'resources/sample') : null;


export interface TestAppOptions {
  /** Folder served as the bundled sample; defaults to resources/sample when present. */
  samplePath?: string | null;
  openSampleOnStart?: boolean;
  /** Per-user folder; a fresh temp folder (removed on close) by default. */
  userData?: string;
  /** Browser viewport; 1400x900 by default. */
  viewport?: { width: number; height: number };
  /** Wait for this selector after load (default '#app > *'). Pass null to skip. */
  waitFor?: string | null;
  /** Extra scripts run in the page before the app (after the bridge), e.g. to record UI states. */
  initScripts?: string[];
}

export interface EmittedEvent {
  event: EventName;
  payload: unknown;
}

export interface TestPlatform extends PlatformPort {
  answerPickFolder(answer: string | null): void;
  answerPickSavePath(answer: string | null): void;
  /** Titles of dialogs that were opened with no queued answer (treated as cancelled). */
  readonly unansweredDialogs: string[];
  /** Every HTML document sent to printToPdf, for assertions on report content. */
  readonly printedHtml: string[];
}

export interface TestApp {
  page: Page;
  browser: Browser;
  baseUrl: string;
  host: AppHost;
  platform: TestPlatform;
  events: EmittedEvent[];
  userData: string;
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>>;
  emit: EventSink;
  problems(ignore?: readonly RegExp[]): string[];
  dropPath(selector: string, absolutePath: string): Promise<void>;
  close(): Promise<void>;
}

function createTestPlatform(getBrowser: () => Browser | null): TestPlatform {
  const folderAnswers: (string | null)[] = [];
  const saveAnswers: (string | null)[] = [];
  const unansweredDialogs: string[] = [];
  const printedHtml: string[] = [];
  return {
    unansweredDialogs,
    printedHtml,
    answerPickFolder: (answer) => void folderAnswers.push(answer),
    answerPickSavePath: (answer) => void saveAnswers.push(answer),
    async pickFolder(title) {
      if (folderAnswers.length === 0) unansweredDialogs.push(title);
      return folderAnswers.shift() ?? null;
    },
    async pickSavePath(title) {
      if (saveAnswers.length === 0) unansweredDialogs.push(title);
      return saveAnswers.shift() ?? null;
    },
    async printToPdf(html) {
      printedHtml.push(html);
      const browser = getBrowser();
      if (!browser) throw new Error('printToPdf called before the browser started');
      // Same isolation as the Electron printer: its own context, JavaScript off, no network.
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      try {
        const printer = await context.newPage();
        await printer.setContent(html, { waitUntil: 'load' });
        return new Uint8Array(await printer.pdf({ format: 'A4', printBackground: true }));
      } finally {
        await context.close();
      }
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  if (!existsSync(join(RENDERER_ROOT, 'index.html'))) {
    throw new Error(`No built renderer at ${RENDERER_ROOT}: run \`npm run test:e2e\` (it builds first) or \`npx electron-vite build\`.`);
  }
  const ownsUserData = options.userData === undefined;
  const userData = options.userData ?? (await mkdtemp(join(tmpdir(), 'pleura-e2e-')));
  const events: EmittedEvent[] = [];
  const problems: string[] = [];
  const sseClients = new Set<ServerResponse>();
  let browser: Browser | null = null;
  let host: AppHost | null = null;

  const emit: EventSink = (event, payload) => {
    events.push({ event, payload });
    const frame = `data: ${encodeTagged({ event, payload })}\n\n`;
    for (const client of sseClients) client.write(frame);
  };

  let csp = '';
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      problems.push(`server: ${request.method} ${request.url} failed: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('Internal test-server error');
    });
  });
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', baseUrl);
    if (!host) throw new Error('host not ready');
    if (request.method === 'POST' && url.pathname === '/ipc') {
      const { channel, payload } = decodeTagged(await readBody(request)) as { channel: string; payload: unknown };
      const result = await dispatch(host.handlers, channel, payload);
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(encodeTagged(result));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write(': connected\n\n');
      sseClients.add(response);
      request.on('close', () => sseClients.delete(response));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    const reply = await serveAppRequest(host, RENDERER_ROOT, url, csp);
    response.writeHead(reply.status, reply.headers);
    response.end(reply.body ?? undefined);
  };

  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  csp = contentSecurityPolicy(baseUrl);

  const platform = createTestPlatform(() => browser);
  const ctx: AppContext = {
    version: packageVersion(),
    platform,
    paths: {
      userData,
      modelsDir: join(REPO_ROOT, 'resources/models'),
      samplePath: options.samplePath === undefined ? DEFAULT_SAMPLE_PATH : options.samplePath,
    },
    emit,
    instanceUrlBase: baseUrl,
    openSampleOnStart: options.openSampleOnStart ?? false,
  };
  host = createAppHost(ctx);

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('worker', (worker) => worker.on('console', (message) => {
    if (message.type() === 'error') problems.push(`worker console: ${message.text()}`);
  }));
  page.on('requestfailed', (request) => {
    // The event stream is cut when the page closes; that is not a failure of the app.
    if (!request.url().endsWith('/events')) problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.exposeFunction('__pleuraReportCsp', (report: string) => void problems.push(`CSP: ${report}`));
  await page.addInitScript({ content: pageBridgeScript() });
  for (const script of options.initScripts ?? []) await page.addInitScript({ content: script });
  await page.goto(`${baseUrl}/index.html`);
  const waitFor = options.waitFor === undefined ? '#app > *' : options.waitFor;
  if (waitFor) await page.waitForSelector(waitFor, { timeout: 60_000 });

  const hostRef = host;
  return {
    page,
    browser,
    baseUrl,
    host: hostRef,
    platform,
    events,
    userData,
    async invoke(channel, request) {
      const result = await dispatch(hostRef.handlers, channel, request);
      if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
      return result.value as never;
    },
    emit,
    problems: (ignore = []) => problems.filter((problem) => !ignore.some((pattern) => pattern.test(problem))),
    async dropPath(selector, absolutePath) {
      const name = basename(absolutePath);
      await page.evaluate(([fileName, path]) => {
        (window as unknown as { __pleuraTest: { setFilePath(n: string, p: string): void } }).__pleuraTest.setFilePath(fileName, path);
      }, [name, absolutePath] as const);
      const dataTransfer = await page.evaluateHandle((fileName) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([], fileName));
        return transfer;
      }, name);
      await page.dispatchEvent(selector, 'dragenter', { dataTransfer });
      await page.dispatchEvent(selector, 'dragover', { dataTransfer });
      await page.dispatchEvent(selector, 'drop', { dataTransfer });
    },
    async close() {
      for (const client of sseClients) client.end();
      await browser?.close().catch(() => undefined);
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeAllConnections();
      await closed;
      await hostRef.dispose();
      if (ownsUserData) await rm(userData, { recursive: true, force: true });
    },
  };
}
