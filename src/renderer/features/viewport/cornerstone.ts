/**
 * The one place Cornerstone3D is initialised: core (WebGL rendering), the DICOM image
 * loader (wadouri over the app's own origin, decode worker + WebAssembly codecs) and
 * the tools library. Everything else imports `ensureCornerstone()` and the ids below.
 *
 * For features that draw on the viewports (AI labelmaps, review annotations):
 *   RENDERING_ENGINE_ID, VIEWPORT_IDS, getRenderingEngine(), and the live state in
 *   src/renderer/state/viewer.svelte.ts (volumeId, activeSeries, sliceIndex).
 */
import { init as initCore, getRenderingEngine as findRenderingEngine, ProgressiveRetrieveImages, RenderingEngine, utilities as csUtils } from '@cornerstonejs/core';
import dicomImageLoader from '@cornerstonejs/dicom-image-loader';
import { init as initTools } from '@cornerstonejs/tools';

export const RENDERING_ENGINE_ID = 'pleura-rendering-engine';

/** Viewport ids: the three MPR planes of a CT volume, and the single stack viewport (X-ray, single images). */
export const VIEWPORT_IDS = {
  axial: 'pleura-axial',
  coronal: 'pleura-coronal',
  sagittal: 'pleura-sagittal',
  stack: 'pleura-stack',
} as const;
export type ViewportId = (typeof VIEWPORT_IDS)[keyof typeof VIEWPORT_IDS];
export const MPR_VIEWPORT_IDS: readonly ViewportId[] = [VIEWPORT_IDS.axial, VIEWPORT_IDS.coronal, VIEWPORT_IDS.sagittal];

let ready: Promise<void> | null = null;

export function ensureCornerstone(): Promise<void> {
  ready ??= initialise();
  return ready;
}

async function initialise(): Promise<void> {
  initCore();
  // Two decode workers: enough to keep the volume streaming on a laptop, without
  // starving the renderer on the 2-4 core machines hospitals often have.
  const workers = Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2)));
  dicomImageLoader.init({
    maxWebWorkers: workers,
    // The dicom-parser metadata path. Cornerstone 5's default (dcmjs's AsyncDicomReader)
    // misreads the bundled sample (JPEG-LS re-encoded by GDCM, with private "ox" VR
    // elements): "Finding view is past end of input" and no pixel module. dicom-parser
    // reads every file in the transfer-syntax and sample sets. Codec .wasm files are
    // resolved by Vite next to the decode worker (see electron.vite.config.ts).
    useLegacyMetadataProvider: true,
  });
  // Load CT volumes middle slice first, then every 4th slice, then the rest, instead of
  // first-to-last: the slice on screen (the middle one) appears after one decode, not half
  // the series. Gaps are filled with neighbouring slices until their own data arrives.
  csUtils.imageRetrieveMetadataProvider.add('volume', ProgressiveRetrieveImages.interleavedRetrieveStages);
  initTools();
}

export function getRenderingEngine(): RenderingEngine {
  const existing = findRenderingEngine(RENDERING_ENGINE_ID);
  if (existing) return existing as RenderingEngine;
  return new RenderingEngine(RENDERING_ENGINE_ID);
}
