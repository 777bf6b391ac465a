/**
 * Viewer-specific e2e helpers: wait for a series to be on screen, read the overlay
 * state the viewports publish as data-* attributes, and pick viewports by id.
 *
 *   const generation = await displayGeneration(page);
 *   await page.click('[data-action="open-sample"]');
 *   await waitForDisplay(page, generation);           // next series fully loaded and drawn
 *   await sliceIndex(page, VIEWPORT.axial)             // 0-based slice on screen
 */
import type { Page } from 'playwright-core';

export const VIEWPORT = {
  axial: '[data-viewport-id="pleura-axial"]',
  coronal: '[data-viewport-id="pleura-coronal"]',
  sagittal: '[data-viewport-id="pleura-sagittal"]',
  stack: '[data-viewport-id="pleura-stack"]',
} as const;

export async function displayGeneration(page: Page): Promise<number> {
  return Number((await page.getAttribute('.grid', 'data-generation')) ?? '0');
}

/**
 * Wait until a display newer than `afterGeneration` is fully loaded and drawn, then one
 * more animation frame. Fails fast with the app's own message when it shows an error.
 */
export async function waitForDisplay(page: Page, afterGeneration: number, timeoutMs = 120_000): Promise<void> {
  const outcome = await page.waitForFunction(
    (after) => {
      const error = document.querySelector('[data-testid="error"]')?.textContent;
      if (error) return `error: ${error.trim()}`;
      const grid = document.querySelector<HTMLElement>('.grid');
      if (!grid) return false;
      return Number(grid.dataset.generation) > after && grid.dataset.displayed === 'true' ? 'ok' : false;
    },
    afterGeneration,
    { timeout: timeoutMs, polling: 100 },
  );
  const result = (await outcome.jsonValue()) as string;
  if (result !== 'ok') throw new Error(`Series did not display: ${result}`);
  await settle(page);
}

/** Two animation frames: Cornerstone renders on the next frame after a change. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

export async function sliceIndex(page: Page, viewportSelector: string): Promise<number> {
  return Number(await page.getAttribute(viewportSelector, 'data-slice-index'));
}

export async function voiLabel(page: Page, viewportSelector: string): Promise<string> {
  return ((await page.textContent(`${viewportSelector} [data-testid="voi-label"]`)) ?? '').trim();
}

/** Centre of a viewport in page coordinates. */
export async function centreOf(page: Page, viewportSelector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator(viewportSelector).boundingBox();
  if (!box) throw new Error(`${viewportSelector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, width: box.width, height: box.height };
}

/** Wait until the viewport reports a slice other than `from`; returns the new index. */
export async function waitForSliceChange(page: Page, viewportSelector: string, from: number, timeoutMs = 15_000): Promise<number> {
  await page.waitForFunction(
    ([selector, was]) => {
      const value = document.querySelector(selector as string)?.getAttribute('data-slice-index');
      return value !== null && value !== undefined && value !== String(was);
    },
    [viewportSelector, from] as const,
    { timeout: timeoutMs, polling: 50 },
  );
  return sliceIndex(page, viewportSelector);
}
