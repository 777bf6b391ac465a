import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AppHost } from './handlers';

export interface ProtocolReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string | null;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Responses that get the app's Content-Security-Policy header. */
const CSP_GOVERNED = new Set(['.html', '.js', '.mjs']);

/**
 * Serves the app's own origin: the built renderer under `/`, and DICOM bytes under
 * `/instance/<id>` for ids the ingest service handed out (never a path from the
 * renderer). Used by Electron's protocol handler and the e2e HTTP transport alike.
 */
export async function serveAppRequest(host: AppHost, rendererRoot: string, url: URL, csp: string): Promise<ProtocolReply> {
  const path = decodeURIComponent(url.pathname);
  if (path.startsWith('/instance/')) {
    const id = path.slice('/instance/'.length);
    const bytes = await host.services.studies.readInstanceBytes(id);
    if (!bytes) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Unknown instance' };
    return { status: 200, headers: { 'content-type': 'application/dicom', 'cache-control': 'no-store' }, body: bytes };
  }
  const relative = path === '/' ? 'index.html' : path.replace(/^\/+/, '');
  const file = normalize(join(rendererRoot, relative));
  if (!file.startsWith(normalize(rendererRoot) + sep)) return { status: 403, headers: {}, body: 'Forbidden' };
  try {
    const body = await readFile(file);
    const headers: Record<string, string> = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' };
    // Documents and worker scripts each carry their own policy: a dedicated worker is
    // governed by the CSP of its script's response, not by the page's.
    if (CSP_GOVERNED.has(extname(file))) headers['content-security-policy'] = csp;
    return { status: 200, headers, body };
  } catch {
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
  }
}
