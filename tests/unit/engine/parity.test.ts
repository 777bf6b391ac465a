/**
 * Parity with the training side (tests/fixtures/parity, written by the models engineer
 * from PyTorch): the display image G exactly, the preprocessed tensors, the ONNX outputs
 * of the shipped models, and the engine end to end through its worker.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { InferenceEngine } from '../../../src/main/services/engine';
import { ModelManifest } from '../../../src/main/services/engine/manifest';
import { dicomToDisplayU8, normalizeInto, prepareU8, resizeFloat } from '../../../src/main/services/engine/preprocess';
import { readDicomFrame, readImageFileGrey } from '../../../src/main/services/pixels';

const ROOT = join(import.meta.dirname, '../../..');
const PARITY = join(ROOT, 'tests/fixtures/parity');
const MODELS = join(ROOT, 'resources/models');

interface ParityInput {
  key: string;
  file: string;
  format: 'dicom' | 'jpeg' | 'png';
  shapeG: [number, number];
  G?: string;
}
interface ParityCase {
  model: string;
  input: string;
  tensor: string;
  shape: [number, number, number, number];
  outputs: Array<{ name: string; file: string; shape: number[]; labels: string[] }>;
}
const index = JSON.parse(readFileSync(join(PARITY, 'index.json'), 'utf8')) as { inputs: ParityInput[]; cases: ParityCase[] };
const manifest = ModelManifest.parse(JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')));
const { preprocessing } = manifest;

function float32(file: string): Float32Array {
  const bytes = readFileSync(join(PARITY, file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function displayOf(input: ParityInput) {
  const path = join(PARITY, input.file);
  if (input.format === 'dicom') {
    const { module, frame } = await readDicomFrame(path);
    return { rows: frame.rows, columns: frame.columns, grey: dicomToDisplayU8(frame, module, preprocessing.ctWindow) };
  }
  return readImageFileGrey(path);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

// onnxruntime's logger is process-wide: keep the engine's expected CUDA probe failure quiet.
ort.env.logLevel = 'fatal';
const sessions = new Map<string, Promise<ort.InferenceSession>>();
function session(model: string) {
  let s = sessions.get(model);
  if (!s) {
    s = ort.InferenceSession.create(join(MODELS, `${model}.onnx`), { executionProviders: ['cpu'], extra: { session: { disable_quant_qdq: '1' } } });
    sessions.set(model, s);
  }
  return s;
}
afterAll(async () => {
  for (const s of sessions.values()) await (await s).release();
});

describe('parity with the training pipeline (PyTorch fixtures)', () => {
  it.each(index.inputs.map((i) => [i.key, i] as const))('display image G of %s', async (_key, input) => {
    const image = await displayOf(input);
    expect([image.rows, image.columns]).toEqual(input.shapeG);
    if (input.G) expect(Buffer.from(image.grey).equals(readFileSync(join(PARITY, input.G)))).toBe(true);
  });

  it.each(index.cases.map((c) => [`${c.model} on ${c.input}`, c] as const))('%s: tensor and ONNX outputs', async (_name, testCase) => {
    const input = index.inputs.find((i) => i.key === testCase.input)!;
    const image = await displayOf(input);
    const [, channels, size] = testCase.shape;
    const tensor = new Float32Array(channels * size * size);
    normalizeInto(prepareU8(image.grey, image.rows, image.columns, size, preprocessing), channels, preprocessing.normalize.mean, preprocessing.normalize.std, tensor, 0);
    const expectedTensor = float32(testCase.tensor);
    expect(maxAbsDiff(tensor, expectedTensor)).toBeLessThanOrEqual(1e-4);

    const model = manifest.models.find((m) => m.id === testCase.model)!;
    const results = await (await session(testCase.model)).run({ [model.input.name]: new ort.Tensor('float32', tensor, testCase.shape) });
    for (const out of testCase.outputs) {
      const actual = results[out.name]!.data as Float32Array;
      expect([...results[out.name]!.dims]).toEqual(out.shape);
      // Probabilities: onnxruntime vs PyTorch on the same (dequantised) weights.
      expect(maxAbsDiff(actual, float32(out.file))).toBeLessThanOrEqual(1e-4);
    }
  });

  it('the engine (worker, batching, resize back) reproduces PyTorch on the parity CT slice', async () => {
    // A copy of the manifest whose effusion threshold is the median of PyTorch's resized
    // probability map, so that the mask comparison is meaningful whatever the model's
    // calibration (model files are linked, not copied).
    const expectedProb = float32('seg-effusion_ct_dicom_prob.bin');
    const effusionSize = manifest.models.find((m) => m.id === 'seg-effusion')!.input.size;
    const resized = resizeFloat(expectedProb, effusionSize, effusionSize, 512, 512);
    const threshold = [...resized].sort((a, b) => a - b)[resized.length >> 1]!;
    const dir = mkdtempSync(join(tmpdir(), 'pleura-parity-models-'));
    for (const model of manifest.models) symlinkSync(join(MODELS, model.file), join(dir, model.file));
    const copy = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as { models: Array<{ id: string; thresholds?: Record<string, number> }> };
    copy.models.find((m) => m.id === 'seg-effusion')!.thresholds = { effusion: threshold };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(copy));

    const engine = new InferenceEngine({ modelsDir: dir, device: 'auto' });
    try {
      const info = await engine.ready();
      expect(info.models.map((m) => m.version)).toHaveLength(6);
      // The shipped models on whatever this machine has: CUDA, or the CPU with the reason.
      if (info.provider.used === 'cpu') expect(info.provider.fallbackReason).toMatch(/CUDA/);
      const path = join(PARITY, 'ct_effusion_slice.dcm');
      const { result, masks } = await engine.run(
        {
          seriesInstanceUid: 'parity',
          studyInstanceUid: null,
          modality: 'CT',
          kind: 'ct',
          description: null,
          spacingMm: [1, 1, 1],
          slices: [{ id: 'parity', path, source: 'dicom' }],
        },
        // Gate off: the comparison is with PyTorch's raw mask (half of the slice at the median
        // threshold, body and air included), which the anatomical gate would cut by design.
        { streams: ['effusion'], skipStage23IfNormal: false, anatomicalGate: false },
      ).outcome;
      const probs = float32('manifestations_ct_dicom_probs.bin');
      const m = result.instances[0]!.manifestations!;
      expect(maxAbsDiff([m.ggo, m.consolidation, m.effusion], probs)).toBeLessThanOrEqual(1e-4);

      const labels = masks[0]!.labels;
      let differing = 0;
      let on = 0;
      for (let i = 0; i < resized.length; i++) {
        const expected = resized[i]! >= threshold ? 1 : 0;
        on += expected;
        if (expected !== labels[i]) differing++;
      }
      expect(on).toBeGreaterThan(resized.length / 4);
      // Only pixels within ~1e-4 of the threshold may flip between the two float32 runtimes.
      expect(differing).toBeLessThanOrEqual(resized.length * 0.001);
    } finally {
      await engine.dispose();
    }
  });
});
