/**
 * Open-to-first-image timing of the viewer: from clicking "Open sample" to the first
 * screenshot of the axial viewport that shows a real (non-blank) CT image. Runs the
 * built renderer in headless Chromium against the real main-process host, through the
 * e2e transport (tests/e2e/support/testApp.ts). Each run reloads the page, so every run
 * starts with cold renderer caches (the ingest service is warm after the first run).
 *
 * Resolution: screenshots are polled, so a time is at most one screenshot (~50-150 ms
 * with SwiftShader) late. Chromium here renders WebGL in software; a desktop GPU is faster.
 *
 *   import { measureOpenToFirstImageMs } from './renderTiming';
 *   const { medianMs, runs } = await measureOpenToFirstImageMs();
 *   node --import tsx bench/renderTiming.ts     # prints the numbers
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { DEFAULT_SAMPLE_PATH, RENDERER_ROOT, REPO_ROOT, startTestApp } from '../tests/e2e/support/testApp';
import { regionStats } from '../tests/e2e/support/screenshots';

const AXIAL = '[data-viewport-id="pleura-axial"]';

export interface RenderTiming {
  medianMs: number;
  runs: number[];
}

function ensureBuiltRenderer(): void {
  if (existsSync(join(RENDERER_ROOT, 'index.html'))) return;
  execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

export async function measureOpenToFirstImageMs(runCount = 3, timeoutMs = 120_000): Promise<RenderTiming> {
  if (!DEFAULT_SAMPLE_PATH) throw new Error('resources/sample is missing: nothing to open.');
  ensureBuiltRenderer();
  const app = await startTestApp({ samplePath: DEFAULT_SAMPLE_PATH });
  const runs: number[] = [];
  try {
    for (let run = 0; run < runCount; run++) {
      if (run > 0) {
        await app.page.reload();
        await app.page.waitForSelector('[data-action="open-sample"]:not([disabled])');
      } else {
        await app.page.waitForSelector('[data-action="open-sample"]:not([disabled])');
      }
      const started = performance.now();
      await app.page.click('[data-action="open-sample"]');
      for (;;) {
        if (performance.now() - started > timeoutMs) throw new Error(`No image within ${timeoutMs} ms (run ${run + 1})`);
        const viewport = await app.page.$(AXIAL);
        if (viewport) {
          const png = PNG.sync.read(await viewport.screenshot());
          const centre = regionStats({ name: 'poll', path: '', png }, { x: 0.3, y: 0.3, width: 0.4, height: 0.4 });
          if (centre.nonBlankFraction > 0.3 && centre.distinctLevels > 50) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      runs.push(Math.round(performance.now() - started));
    }
    const problems = app.problems();
    if (problems.length > 0) throw new Error(`The viewer reported problems while timing:\n${problems.join('\n')}`);
  } finally {
    await app.close();
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, runs };
}

// Run directly: print the timing.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const timing = await measureOpenToFirstImageMs();
  console.log(`open sample -> first CT image: median ${timing.medianMs} ms (runs: ${timing.runs.join(', ')} ms)`);
}
