/**
 * e2e support, in one import:
 *
 *   import { startTestApp, captureElement, pixelStats, diffStats, waitForDisplay, VIEWPORT } from './support';
 *
 * - testApp.ts     start the real host + built renderer in headless Chromium (API at its top)
 * - screenshots.ts capture elements to tests/e2e/artifacts/, pixel statistics and diffs
 * - viewer.ts      wait for a series to be displayed, read slice/window overlays
 * - fixtures.ts    unpack the gzipped transfer-syntax fixtures into temp folders
 * - taggedJson.ts  the JSON codec that carries typed arrays over the transport
 */
export * from './testApp';
export * from './screenshots';
export * from './viewer';
export * from './fixtures';
export { decodeTagged, encodeTagged } from './taggedJson';
