/**
 * Content-Security-Policy for the renderer. No remote origins at all; `wasm-unsafe-eval`
 * is required for the DICOM codecs (WebAssembly), `blob:` workers for Cornerstone's
 * decode workers, and `pleura:` for instance bytes. Inline styles are needed by
 * Svelte transitions and Cornerstone's viewport elements; no inline scripts.
 */
export function contentSecurityPolicy(instanceOrigin: string): string {
  const self = `'self'`;
  return [
    `default-src ${self}`,
    `script-src ${self} 'wasm-unsafe-eval'`,
    `worker-src ${self} blob:`,
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data: blob:`,
    `connect-src ${self} ${instanceOrigin} blob: data:`,
    `font-src ${self} data:`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

export const APP_SCHEME = 'pleura';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
