/**
 * Review-panel e2e helpers: run the AI on the series on screen, and read the session
 * the panel shows (its id from the header, its state through the same IPC).
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestApp } from './testApp';

export const ALL_STREAMS = ['ggo', 'consolidation', 'effusion', 'all'] as const;

/** Start the real analysis of the series on screen and wait for it to finish. */
export async function analyseDisplayedSeries(app: TestApp): Promise<string> {
  const seriesId = (await app.page.getAttribute('.grid', 'data-series-id')) ?? '';
  expect(seriesId).not.toBe('');
  // Load the models first: on this branch, a start that has to wait for the models reports
  // its first progress before its job id exists and fails ("Cannot access 'job' before
  // initialization", src/main/services/engine/analysis-service.ts); reported to the lead.
  expect(await app.invoke('analysis:get-engine-info', undefined)).toMatchObject({ available: true });
  const { jobId } = await app.invoke('analysis:start', { seriesId, streams: [...ALL_STREAMS], device: 'auto' });
  await expect
    .poll(() => app.events.find((e) => e.event === 'analysis:finished' && (e.payload as { jobId: string }).jobId === jobId)?.payload, { timeout: 180_000, interval: 250 })
    .toMatchObject({ status: 'done' });
  return seriesId;
}

export async function openSessionId(page: Page): Promise<string> {
  const header = page.locator('[data-testid="session-header"]');
  await header.waitFor({ timeout: 60_000 });
  return (await header.getAttribute('data-session-id')) ?? '';
}

export async function sessionPath(page: Page): Promise<string> {
  return (await page.getAttribute('[data-testid="session-header"]', 'data-session-path')) ?? '';
}

/** The opinion buttons of one manifestation in the panel. */
export function opinionButton(page: Page, manifestation: string, opinion: string) {
  return page.locator(`[data-testid="opinion-row"][data-manifestation="${manifestation}"] button[data-opinion="${opinion}"]`);
}

/** Wait for the panel's indicator to say 'saved' (nothing unsaved) or 'unsaved'. */
export async function waitForSaveStatus(page: Page, status: 'saved' | 'unsaved', timeoutMs = 30_000): Promise<void> {
  await page.waitForSelector(`[data-testid="save-status"][data-dirty="${status === 'unsaved'}"]`, { timeout: timeoutMs });
}

/** Labelled pixels per slice of a slice-major label volume. */
export function pixelsPerSlice(labels: Uint8Array, rows: number, columns: number): number[] {
  const size = rows * columns;
  const counts: number[] = [];
  for (let start = 0; start < labels.length; start += size) {
    let count = 0;
    for (let i = start; i < start + size; i++) if (labels[i] !== 0) count++;
    counts.push(count);
  }
  return counts;
}

/** Slices whose labels differ between two volumes of the same shape. */
export function changedSlices(a: Uint8Array, b: Uint8Array, rows: number, columns: number): number[] {
  const size = rows * columns;
  const changed: number[] = [];
  for (let slice = 0; slice * size < a.length; slice++) {
    for (let i = slice * size; i < (slice + 1) * size; i++) {
      if (a[i] !== b[i]) {
        changed.push(slice);
        break;
      }
    }
  }
  return changed;
}

/** A left-button drag across the middle of an element (moved down by offsetY px), left to right. */
export async function dragAcross(page: Page, selector: string, halfWidth = 60, offsetY = 0): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2 + offsetY;
  await page.mouse.move(x - halfWidth, y);
  await page.mouse.down();
  await page.mouse.move(x + halfWidth, y, { steps: 16 });
  await page.mouse.up();
}
