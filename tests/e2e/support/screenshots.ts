/**
 * Screenshot helpers for e2e tests: capture an element, write it to
 * tests/e2e/artifacts/<name>.png (git-ignored, for humans to look at), and measure it.
 *
 *   const shot = await captureElement(app.page, '[data-viewport-id="ct-axial"]', 'axial-initial');
 *   pixelStats(shot)            -> { mean, sd, nonBlankFraction, width, height }  (grey levels 0..255)
 *   diffStats(shotA, shotB)     -> { meanAbsDiff, changedFraction }
 *   regionStats(shot, rect)     -> pixelStats of a sub-rectangle (fractions of width/height)
 *
 * Grey level = mean of R, G, B. "Non-blank" = pixel differs from the most common colour
 * (the background) by more than 8 grey levels.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './testApp';

export const ARTIFACTS_DIR = join(REPO_ROOT, 'tests/e2e/artifacts');

export interface Shot {
  name: string;
  png: PNG;
  path: string;
}

export interface PixelStats {
  width: number;
  height: number;
  mean: number;
  sd: number;
  /** Share of pixels that differ from the dominant (background) grey level. */
  nonBlankFraction: number;
  /** Number of distinct grey levels: a real image has many, a flat fill or text has few. */
  distinctLevels: number;
}

export interface DiffStats {
  meanAbsDiff: number;
  /** Share of pixels whose grey level changed by more than 8. */
  changedFraction: number;
}

export async function captureElement(page: Page, selector: string, name: string): Promise<Shot> {
  const buffer = await page.locator(selector).first().screenshot({ animations: 'disabled', timeout: 30_000 });
  return saveShot(buffer, name);
}

export async function capturePage(page: Page, name: string): Promise<Shot> {
  return saveShot(await page.screenshot({ animations: 'disabled' }), name);
}

function saveShot(buffer: Buffer, name: string): Shot {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  writeFileSync(path, buffer);
  return { name, png: PNG.sync.read(buffer), path };
}

function grey(png: PNG, x: number, y: number): number {
  const i = (y * png.width + x) * 4;
  return ((png.data[i] ?? 0) + (png.data[i + 1] ?? 0) + (png.data[i + 2] ?? 0)) / 3;
}

/** Region as fractions of the image: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 } is the centre quarter. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function regionStats(shot: Shot, region: Region): PixelStats {
  const { png } = shot;
  const x0 = Math.floor(region.x * png.width);
  const y0 = Math.floor(region.y * png.height);
  const x1 = Math.min(png.width, Math.ceil((region.x + region.width) * png.width));
  const y1 = Math.min(png.height, Math.ceil((region.y + region.height) * png.height));
  const histogram = new Array<number>(256).fill(0);
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const value = grey(png, x, y);
      const bin = Math.round(value);
      histogram[bin] = (histogram[bin] ?? 0) + 1;
      sum += value;
      sumSquares += value * value;
      count++;
    }
  }
  if (count === 0) return { width: 0, height: 0, mean: 0, sd: 0, nonBlankFraction: 0, distinctLevels: 0 };
  const mean = sum / count;
  let background = 0;
  for (let level = 1; level < 256; level++) if ((histogram[level] ?? 0) > (histogram[background] ?? 0)) background = level;
  let blank = 0;
  for (let level = Math.max(0, background - 8); level <= Math.min(255, background + 8); level++) blank += histogram[level] ?? 0;
  return {
    width: x1 - x0,
    height: y1 - y0,
    mean,
    sd: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)),
    nonBlankFraction: 1 - blank / count,
    distinctLevels: histogram.filter((n) => n > 0).length,
  };
}

export function pixelStats(shot: Shot): PixelStats {
  return regionStats(shot, { x: 0, y: 0, width: 1, height: 1 });
}

export function diffStats(a: Shot, b: Shot): DiffStats {
  if (a.png.width !== b.png.width || a.png.height !== b.png.height) {
    throw new Error(`Cannot diff ${a.name} (${a.png.width}x${a.png.height}) with ${b.name} (${b.png.width}x${b.png.height})`);
  }
  let total = 0;
  let changed = 0;
  const count = a.png.width * a.png.height;
  for (let y = 0; y < a.png.height; y++) {
    for (let x = 0; x < a.png.width; x++) {
      const d = Math.abs(grey(a.png, x, y) - grey(b.png, x, y));
      total += d;
      if (d > 8) changed++;
    }
  }
  return { meanAbsDiff: total / count, changedFraction: changed / count };
}
