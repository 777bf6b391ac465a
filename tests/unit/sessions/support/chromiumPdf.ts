/**
 * printToPdf for Node tests: Chromium (Debian's, through playwright-core) prints the
 * HTML the way Electron's hidden window does in the app: its own context, JavaScript
 * off, offline.
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../support/chromium';

export interface ChromiumPrinter {
  printToPdf(html: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function startChromiumPrinter(): Promise<ChromiumPrinter> {
  const browser: Browser = await launchChromium();
  return {
    async printToPdf(html) {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      try {
        const page = await context.newPage();
        await page.setContent(html, { waitUntil: 'load' });
        return new Uint8Array(await page.pdf({ format: 'A4', printBackground: true }));
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
