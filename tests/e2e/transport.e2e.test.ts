import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RENDERER_ROOT, startTestApp, type TestApp } from './support/testApp';
import { decodeTagged, encodeTagged } from './support/taggedJson';

// The transport every other e2e test stands on: if it lies, they all do.
describe('e2e transport', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ samplePath: null });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lets the page call the real host through window.pleura', async () => {
    const info = await app.page.evaluate(() => (window as unknown as { pleura: { invoke(c: string, r: unknown): Promise<{ name: string; instanceUrlBase: string }> } }).pleura.invoke('app:get-info', undefined));
    expect(info.name).toBe('Pleura');
    expect(info.instanceUrlBase).toBe(app.baseUrl);
  });

  it('reports unknown channels as errors with a code, as Electron would', async () => {
    const error = await app.page.evaluate(async () => {
      try {
        await (window as unknown as { pleura: { invoke(c: string, r: unknown): Promise<unknown> } }).pleura.invoke('nope:nothing', {});
        return null;
      } catch (caught) {
        return { message: (caught as Error).message, code: (caught as { code?: string }).code };
      }
    });
    expect(error).toEqual({ code: 'unknown-channel', message: 'Unknown IPC channel "nope:nothing".' });
  });

  it('delivers host events to page listeners', async () => {
    const received = app.page.evaluate(
      () =>
        new Promise<unknown>((resolve) => {
          (window as unknown as { pleura: { on(e: string, l: (p: unknown) => void): () => void } }).pleura.on('app:menu-command', resolve);
        }),
    );
    // Give the listener a moment to register before emitting.
    await app.page.waitForTimeout(100);
    app.emit('app:menu-command', { command: 'show-help' });
    const timeout = new Promise((resolve) => setTimeout(() => resolve('no event within 10 s'), 10_000));
    await expect(Promise.race([received, timeout])).resolves.toEqual({ command: 'show-help' });
  });

  it('round-trips typed arrays through the tagged JSON codec in both directions', async () => {
    const mask = new Uint8Array([0, 1, 2, 255]);
    const probabilities = new Float32Array([0.25, 0.5, 1e-7]);
    const decoded = decodeTagged(encodeTagged({ mask, probabilities, nested: [new Int16Array([-1024, 3071])] })) as {
      mask: Uint8Array;
      probabilities: Float32Array;
      nested: Int16Array[];
    };
    expect(decoded.mask).toBeInstanceOf(Uint8Array);
    expect([...decoded.mask]).toEqual([0, 1, 2, 255]);
    expect(decoded.probabilities).toBeInstanceOf(Float32Array);
    expect([...decoded.probabilities]).toEqual([...probabilities]);
    expect([...(decoded.nested[0] ?? [])]).toEqual([-1024, 3071]);
    // The page's copy of the codec reads what Node wrote, and Node reads what the page wrote.
    type PageCodec = { __pleuraTest: { codec: { encode(v: unknown): string; decode(t: string): unknown } } };
    const fromPage = await app.page.evaluate((text) => {
      const { codec } = (window as unknown as PageCodec).__pleuraTest;
      const value = codec.decode(text) as { probabilities: Float32Array };
      const seen = { type: value.probabilities.constructor.name, values: [...value.probabilities] };
      return { seen, reply: codec.encode({ mask: new Uint8Array([9, 8, 7]), volume: new Int16Array([-1000, 40]) }) };
    }, encodeTagged({ probabilities }));
    expect(fromPage.seen).toEqual({ type: 'Float32Array', values: [...probabilities] });
    const reply = decodeTagged(fromPage.reply) as { mask: Uint8Array; volume: Int16Array };
    expect(reply.mask).toBeInstanceOf(Uint8Array);
    expect([...reply.mask]).toEqual([9, 8, 7]);
    expect([...reply.volume]).toEqual([-1000, 40]);
  });

  it('serves the page and its decode worker under the CSP, and nothing outside the renderer', async () => {
    const assets = await readdir(join(RENDERER_ROOT, 'assets'));
    const worker = assets.find((name) => name.startsWith('decodeImageFrameWorker') && name.endsWith('.js'));
    expect(worker, 'the build emits the DICOM decode worker as its own file').toBeDefined();
    for (const path of ['/', `/assets/${worker}`]) {
      const reply = await fetch(new URL(path, app.baseUrl));
      expect(reply.status).toBe(200);
      // A dedicated worker runs under its own script's policy, so the worker needs the header too.
      expect(reply.headers.get('content-security-policy')).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    }
    const escape = await fetch(`${app.baseUrl}/%2e%2e/%2e%2e/package.json`);
    expect([403, 404]).toContain(escape.status);
    expect(await escape.text()).not.toContain('"name": "pleura"');
  });

  it('loaded the renderer with no console errors, page errors or CSP violations', () => {
    expect(app.problems()).toEqual([]);
  });
});
