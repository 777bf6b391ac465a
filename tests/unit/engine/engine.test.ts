import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamId } from '../../../src/common/analysis/report';
import { InferenceEngine, JobCancelledError, type Progress } from '../../../src/main/services/engine';
import { readDicomFrame } from '../../../src/main/services/pixels';
import { dicomToDisplayU8, prepareU8, resizeFloat } from '../../../src/main/services/engine/preprocess';
import { CT_DIR, CT_FILES, TEST_MODELS, ctSeries, ctSlices } from './helpers';

const manifest = JSON.parse(readFileSync(join(TEST_MODELS, 'manifest.json'), 'utf8'));

/**
 * The effusion test model is prob = sigmoid(10 * mean3x3(x) - 4) (zero padding), so its
 * mask can be recomputed here without onnxruntime: this checks batching, tensor offsets,
 * orientation and the resize-back of the pipeline, not just that something came out.
 */
async function expectedEffusionMask(path: string): Promise<Uint8Array> {
  const { module, frame } = await readDicomFrame(path);
  const grey = dicomToDisplayU8(frame, module, manifest.preprocessing.ctWindow);
  const u8 = prepareU8(grey, frame.rows, frame.columns, 256, manifest.preprocessing);
  const x = Float64Array.from(u8, (v) => (v / 255 - 0.5) / 0.5);
  const prob = new Float32Array(256 * 256);
  for (let y = 0; y < 256; y++) {
    for (let c = 0; c < 256; c++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const yy = y + dy;
        const xx = c + dx;
        if (yy >= 0 && yy < 256 && xx >= 0 && xx < 256) sum += x[yy * 256 + xx]!;
      }
      prob[y * 256 + c] = 1 / (1 + Math.exp(-((10 / 9) * sum - 4)));
    }
  }
  const resized = resizeFloat(prob, 256, 256, frame.rows, frame.columns);
  return Uint8Array.from(resized, (p) => (p >= 0.5 ? 1 : 0));
}

describe('inference engine (worker + onnxruntime-node, test models)', () => {
  let engine: InferenceEngine;
  beforeAll(() => {
    engine = new InferenceEngine({ modelsDir: TEST_MODELS, device: 'auto' });
  });
  afterAll(async () => {
    await engine.dispose();
  });

  it('loads every model once and reports the provider actually used, with the CUDA fallback reason', async () => {
    const info = await engine.ready();
    expect(info.models.map((m) => m.id).sort()).toEqual(['manifestations', 'recognition', 'seg-all', 'seg-consolidation', 'seg-effusion', 'seg-ggo']);
    expect(info.models.find((m) => m.id === 'seg-consolidation')?.weightStorage).toBe('int8-qdq');
    expect(info.provider.requested).toBe('auto');
    if (info.provider.used === 'cpu') expect(info.provider.fallbackReason).toMatch(/CUDA/);
    else expect(info.provider.fallbackReason).toBeNull();
  });

  it('runs the three stages on a CT series: per-slice probabilities, masks on the source grid, volumes', async () => {
    const progress: Progress[] = [];
    // Gate off: this test recomputes the raw effusion model mask independently (pipeline
    // mechanics); the gate is tested below and in lung-gate.test.ts.
    const job = engine.run(ctSeries(), { streams: ['effusion', 'all', 'consolidation'], skipStage23IfNormal: false, batchSize: 2, anatomicalGate: false }, (p) =>
      progress.push(p),
    );
    const { result, masks, skipped, timingsMs } = await job.outcome;
    expect(skipped).toEqual([]);
    expect(result.instances.map((i) => i.sliceIndex)).toEqual([0, 1, 2]);
    for (const instance of result.instances) {
      expect([instance.rows, instance.columns]).toEqual([512, 512]);
      expect(instance.recognition!.p2.normal + instance.recognition!.p2.covid19).toBeCloseTo(1, 5);
      expect(instance.manifestations!.effusion).toBeGreaterThan(0);
    }
    expect(result.recognition?.slicesUsed).toBe(3);
    expect(result.manifestations!.max.ggo).toBeGreaterThanOrEqual(result.manifestations!.mean.ggo);

    const effusion = masks.find((m) => m.stream === 'effusion')!;
    expect(effusion.instanceIds).toEqual(result.instances.map((i) => i.id));
    expect(effusion.labels.length).toBe(3 * 512 * 512);
    // Slice 2 sits in the second batch (batch size 2): recompute it independently.
    const expected = await expectedEffusionMask(join(CT_DIR, CT_FILES[2]!));
    const actual = effusion.labels.subarray(2 * 512 * 512, 3 * 512 * 512);
    let differing = 0;
    for (let i = 0; i < expected.length; i++) if (expected[i] !== actual[i]) differing++;
    // float32 (onnxruntime) vs float64 (here) can flip pixels sitting exactly on the threshold.
    expect(differing).toBeLessThan(20);
    const onPixels = expected.reduce((n, v) => n + v, 0);
    expect(onPixels).toBeGreaterThan(1000);

    const summary = result.streams.find((s) => s.stream === 'effusion')!.manifestations.effusion!;
    let pixelCount = 0;
    for (const v of effusion.labels) pixelCount += v;
    expect(summary.pixelCount).toBe(pixelCount);
    expect(summary.volumeMl).toBeCloseTo((pixelCount * 0.9765625 * 0.9765625 * 3) / 1000, 6);
    expect(summary.sliceCount).toBeLessThanOrEqual(3);

    const all = masks.find((m) => m.stream === 'all')!;
    expect(Math.max(...new Set(all.labels))).toBeLessThanOrEqual(3);
    expect(new Set(all.labels).size).toBeGreaterThan(1);
    expect(result.streams.find((s) => s.stream === 'all')!.manifestations).toHaveProperty('consolidation');

    expect(progress.map((p) => p.stage)).toContain('recognition');
    expect(progress.filter((p) => p.stage === 'segmentation').at(-1)).toMatchObject({ done: 3, total: 3, etaMs: 0 });
    expect(timingsMs.total).toBeGreaterThan(0);
  });

  it('the anatomical gate cuts a mask painted everywhere to the lungs on a real CT series, and leaves it whole when off', async () => {
    // Test models whose GGO and effusion thresholds are 0: their masks cover every pixel.
    const dir = mkdtempSync(join(tmpdir(), 'pleura-gate-models-'));
    cpSync(TEST_MODELS, dir, { recursive: true });
    const everywhere = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { models: Array<{ id: string; thresholds?: Record<string, number> }> };
    everywhere.models.find((m) => m.id === 'seg-ggo')!.thresholds = { ggo: 0 };
    everywhere.models.find((m) => m.id === 'seg-effusion')!.thresholds = { effusion: 0 };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(everywhere));
    const painted = new InferenceEngine({ modelsDir: dir, device: 'cpu' });
    const slice = 512 * 512;
    try {
      const streams: StreamId[] = ['ggo', 'effusion', 'all'];
      const off = await painted.run(ctSeries(), { streams, skipStage23IfNormal: false, anatomicalGate: false }).outcome;
      const on = await painted.run(ctSeries(), { streams, skipStage23IfNormal: false }).outcome;
      const maskOf = (outcome: typeof on, stream: StreamId) => outcome.masks.find((m) => m.stream === stream)!.labels;
      const count = (labels: Uint8Array, from = 0, to = labels.length) => labels.subarray(from, to).reduce((n, v) => n + (v ? 1 : 0), 0);

      // Off: unchanged model output (every pixel), and the report says the gate was off.
      expect(count(maskOf(off, 'ggo'))).toBe(3 * slice);
      expect(count(maskOf(off, 'effusion'))).toBe(3 * slice);
      expect(off.result.anatomicalGate).toMatchObject({ applied: false, slicesGated: 0, removed: {} });
      expect(off.result.anatomicalGate!.reason).toMatch(/off/);

      const ggo = maskOf(on, 'ggo');
      const effusion = maskOf(on, 'effusion');
      const all = maskOf(on, 'all');
      const allOff = maskOf(off, 'all');
      const kept = count(ggo);
      // These three slices are lung bases (liver, stomach, spleen): the lungs are a thin
      // posterior crescent on some of them, absent on others.
      expect(kept).toBeGreaterThan(1000);
      expect(kept).toBeLessThan(0.05 * 3 * slice);
      const perSlice = [0, 1, 2].map((s) => count(ggo, s * slice, (s + 1) * slice));
      const gate = on.result.anatomicalGate!;
      expect(gate).toMatchObject({ applied: true, reason: null, slicesGated: 3 });
      expect(gate.slicesWithLung).toBe(perSlice.filter((n) => n > 0).length);
      expect(perSlice.some((n) => n === 0)).toBe(true);
      expect(gate.removed.ggo!.pixelCount).toBe(3 * slice - kept);
      expect(gate.removed.ggo!.volumeMl).toBeCloseTo(((3 * slice - kept) * 0.9765625 * 0.9765625 * 3) / 1000, 6);
      expect(gate.removed.effusion!.pixelCount).toBe(3 * slice - count(effusion));
      expect(on.timingsMs.gate).toBeGreaterThan(0);

      // Independently of the gate's code: nothing is left on air connected to the image
      // border (outside the patient), and every GGO pixel is within 30 mm of aerated lung
      // (< -400 HU) of its slice.
      const window = manifest.preprocessing.ctWindow as { center: number; width: number };
      // G of a HU value (contract section 1): G < greyOf(hu) means certainly below hu.
      const greyOf = (hu: number) => Math.floor(((hu - (window.center - window.width / 2)) * 255) / window.width + 0.5);
      for (let s = 0; s < 3; s++) {
        const { module, frame } = await readDicomFrame(join(CT_DIR, CT_FILES[s]!));
        const grey = dicomToDisplayU8(frame, module, window);
        const outside = new Uint8Array(slice);
        const queue: number[] = [];
        const visit = (i: number) => {
          if (outside[i] === 0 && grey[i]! < greyOf(-500)) {
            outside[i] = 1;
            queue.push(i);
          }
        };
        for (let k = 0; k < 512; k++) [k, 511 * 512 + k, k * 512, k * 512 + 511].forEach(visit);
        while (queue.length > 0) {
          const i = queue.pop()!;
          const x = i % 512;
          if (x > 0) visit(i - 1);
          if (x < 511) visit(i + 1);
          if (i >= 512) visit(i - 512);
          if (i < 511 * 512) visit(i + 512);
        }
        const outsidePixels = count(outside);
        expect(outsidePixels).toBeGreaterThan(0.3 * slice);
        let onOutside = 0;
        let farFromAir = 0;
        const radius = Math.ceil(30 / 0.9765625);
        for (let i = 0; i < slice; i++) {
          const base = s * slice + i;
          if (outside[i] && (ggo[base] || effusion[base] || all[base])) onOutside++;
          if (!ggo[base]) continue;
          const x0 = i % 512;
          const y0 = (i / 512) | 0;
          let found = false;
          for (let dy = -radius; dy <= radius && !found; dy++) {
            for (let dx = -radius; dx <= radius && !found; dx++) {
              const x = x0 + dx;
              const y = y0 + dy;
              if (x < 0 || y < 0 || x > 511 || y > 511 || dx * dx + dy * dy > radius * radius) continue;
              const j = y * 512 + x;
              found = !outside[j] && grey[j]! < greyOf(-400);
            }
          }
          if (!found) farFromAir++;
        }
        expect(onOutside).toBe(0);
        expect(farFromAir).toBe(0);
        // The all-class model's GGO / consolidation only where the GGO stream kept pixels;
        // its effusion only where the effusion stream did; background stays background.
        for (let i = 0; i < slice; i++) {
          const base = s * slice + i;
          const label = all[base]!;
          if (label === 1 || label === 2) expect(ggo[base]).toBe(1);
          if (label === 3) expect(effusion[base]).toBe(1);
          if (label !== 0) expect(allOff[base]).toBe(label);
        }
      }
      // Effusion reaches slices without own lung (3 mm from one with lung): fluid below the base.
      for (let s = 0; s < 3; s++) expect(count(effusion, s * slice, (s + 1) * slice)).toBeGreaterThan(count(ggo, s * slice, (s + 1) * slice));
    } finally {
      await painted.dispose();
    }
  });

  it('skips a broken file, keeps the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pleura-engine-'));
    writeFileSync(join(dir, 'broken.dcm'), 'not a dicom file at all');
    const slices = ctSlices();
    slices.splice(1, 0, { id: 'broken', path: join(dir, 'broken.dcm'), source: 'dicom' });
    const { result, skipped, masks } = await engine.run(ctSeries(slices), { streams: ['ggo'], skipStage23IfNormal: false }).outcome;
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.path).toContain('broken.dcm');
    expect(skipped[0]!.reason).toMatch(/DICOM/);
    expect(result.instances.map((i) => i.sliceIndex)).toEqual([0, 2, 3]);
    expect(masks[0]!.instanceIds).toHaveLength(3);
  });

  it('skips stages 2 and 3 only when asked to and stage 1 says normal', async () => {
    const { result, masks } = await engine.run(ctSeries(), { streams: ['ggo'], skipStage23IfNormal: true }).outcome;
    if (result.recognition!.verdict2 === 'normal') {
      expect(masks).toEqual([]);
      expect(result.manifestations).toBeNull();
    } else {
      expect(masks).toHaveLength(1);
    }
  });

  it('cancel stops the work between batches, and the engine keeps serving', async () => {
    const many = Array.from({ length: 40 }, (_, k) => ({ ...ctSlices()[k % 3]!, id: `slice-${k}` }));
    const progress: Progress[] = [];
    const job = engine.run(ctSeries(many), { streams: ['ggo', 'consolidation', 'effusion', 'all'], skipStage23IfNormal: false, batchSize: 1 }, (p) => {
      progress.push(p);
      if (progress.length === 3) job.cancel();
    });
    await expect(job.outcome).rejects.toBeInstanceOf(JobCancelledError);
    // A few events can be in flight when the flag is set, never the remaining ~200.
    expect(progress.length).toBeLessThan(10);
    const again = await engine.run(ctSeries(), { streams: ['ggo'], skipStage23IfNormal: false }).outcome;
    expect(again.result.instances).toHaveLength(3);
  });

  it('keeps the calling (main) thread responsive while a series is analysed', async () => {
    const many = Array.from({ length: 24 }, (_, k) => ({ ...ctSlices()[k % 3]!, id: `slice-${k}` }));
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    await engine.run(ctSeries(many), { streams: ['ggo', 'consolidation', 'effusion', 'all'], skipStage23IfNormal: false }).outcome;
    delay.disable();
    // Decoding, preprocessing, inference and masks all run off this thread (IPC target: p99 < 50 ms).
    expect(delay.percentile(99) / 1e6).toBeLessThan(50);
  });

  it('refuses a model whose bytes do not match the manifest sha256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pleura-models-'));
    cpSync(TEST_MODELS, dir, { recursive: true });
    const tampered = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    tampered.models[2].sha256 = '0'.repeat(64);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(tampered));
    const bad = new InferenceEngine({ modelsDir: dir, device: 'cpu' });
    await expect(bad.ready()).rejects.toThrow(/sha256/);
    await bad.dispose();
  });

  it('explains when the models are not installed', async () => {
    const missing = new InferenceEngine({ modelsDir: mkdtempSync(join(tmpdir(), 'pleura-none-')), device: 'cpu' });
    await expect(missing.ready()).rejects.toThrow(/not installed/);
    await missing.dispose();
  });
});
