import type { AnatomicalGateSummary, ManifestationProbabilities, Recognition, StreamId } from '../../../../common/analysis/report';
import type { ResolvedModel } from '../manifest';
import type { AnalysisOptions, Progress, SeriesInput, SeriesOutcome } from '../types';
import { assemble } from './assemble';
import { BatchPreparer, type PreparedBatch } from './batch-preparer';
import { volumeMlOf } from './extent';
import { applyLungGate, computeLungGate, pleuralAllowances, windowSupportsGate, type LungGate } from './lung-gate';
import { argmaxMask, binaryMask } from './masks';
import { manifestationsRow, outputOf, recognitionRow, requireModel, STREAM_MODELS, type ModelOutput, type ModelRunner } from './model-runner';
import { aggregateRecognition, selectStage1Slices } from './stage1';

export { STREAM_MODELS, type ModelOutput, type ModelRunner } from './model-runner';

export class CancelledError extends Error {
  constructor() {
    super('Analysis cancelled.');
    this.name = 'CancelledError';
  }
}

export interface RunContext {
  isCancelled(): boolean;
  onProgress(progress: Progress): void;
}

const DEFAULT_BATCH = 8;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Progress with an ETA from the measured rate of model runs (slices x models) so far. */
function progressReporter(context: RunContext, workTotal: number) {
  const started = performance.now();
  let workDone = 0;
  return (stage: Progress['stage'], done: number, total: number, units: number) => {
    workDone += units;
    const elapsed = performance.now() - started;
    const etaMs = workDone > 0 ? Math.round((elapsed / workDone) * Math.max(0, workTotal - workDone)) : null;
    context.onProgress({ stage, done, total, etaMs });
  };
}

/**
 * Runs the three stages on one series: stage 1 on a subset of slices, then stages 2 and
 * 3 together per batch (one preprocessed tensor per input size feeds every model of that
 * size: 256 px for the manifestation model and most streams, 512 px for the effusion
 * stream). The next batch is decoded and preprocessed while the current
 * one is in onnxruntime, and within a batch the next model starts before the previous
 * one's output is post-processed, so onnxruntime (own threads) is never idle waiting here.
 */
export async function runSeries(series: SeriesInput, options: AnalysisOptions, runner: ModelRunner, context: RunContext): Promise<SeriesOutcome> {
  const started = performance.now();
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const isCt = series.kind === 'ct';
  const preparer = new BatchPreparer(series, runner.preprocessing, isCt);
  const timings = { stage1: 0, stage2: 0, stage3: 0, gate: 0 };
  const timed = <T>(key: keyof typeof timings, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const promise = work().finally(() => {
      timings[key] += performance.now() - t0;
    });
    promise.catch(() => undefined);
    return promise;
  };
  const checkCancelled = () => {
    if (context.isCancelled()) throw new CancelledError();
  };

  const recognitionModel = requireModel(runner, 'recognition');
  const manifestationModel = isCt ? requireModel(runner, 'manifestations') : null;
  const streamModels = isCt ? [...new Set(options.streams)].map((stream) => ({ stream, model: requireModel(runner, STREAM_MODELS[stream]) })) : [];
  const sliceCount = series.slices.length;
  const stage1Indices = isCt ? selectStage1Slices(sliceCount) : series.slices.map((_, i) => i);
  const report = progressReporter(context, stage1Indices.length + (isCt ? sliceCount * (1 + streamModels.length) : 0));

  // ---- Stage 1: recognition on the chosen slices.
  const recognitionBySlice = new Map<number, Recognition>();
  let stage1Done = 0;
  for (const indices of chunk(stage1Indices, batchSize)) {
    checkCancelled();
    const batch = await preparer.prepare(indices, [recognitionModel]);
    if (batch.indices.length > 0) {
      const outputs = await timed('stage1', () => runner.run(recognitionModel.id, preparer.tensorFor(batch, recognitionModel), batch.indices.length));
      batch.indices.forEach((index, row) => recognitionBySlice.set(index, recognitionRow(outputs, recognitionModel, row)));
    }
    stage1Done += indices.length;
    report('recognition', stage1Done, stage1Indices.length, indices.length);
  }
  const recognition = aggregateRecognition([...recognitionBySlice.values()], recognitionModel.thresholds?.covid19 ?? 0.5);

  // ---- Stages 2 and 3, batch by batch over the whole series.
  const runsStage23 = manifestationModel !== null && !(options.skipStage23IfNormal && recognition?.verdict2 === 'normal');
  const manifestationsBySlice = new Map<number, ManifestationProbabilities>();
  const maskParts = new Map<StreamId, Uint8Array[]>();
  const maskIndices: number[] = [];
  // Anatomical gate (lung-gate.ts): one gate per mask slice (null where the slice is not
  // HU-windowed CT), GGO / consolidation gated batch by batch, effusion at the end (it
  // looks at the lung of neighbouring slices). `slots` locates each mask slice in the parts.
  const gateWanted = isCt && options.anatomicalGate !== false;
  const ctWindow = runner.preprocessing.ctWindow;
  const gateUsable = gateWanted && windowSupportsGate(ctWindow);
  const pixelSpacing = series.spacingMm ? ([series.spacingMm[0], series.spacingMm[1]] as const) : null;
  const gates: Array<LungGate | null> = [];
  const slots: Array<{ part: number; offset: number }> = [];
  const removed = new Map<StreamId, number>();
  const countRemoved = (stream: StreamId, pixels: number) => removed.set(stream, (removed.get(stream) ?? 0) + pixels);
  if (runsStage23) {
    const steps: Array<{ model: ResolvedModel; stream: StreamId | null }> = [{ model: manifestationModel, stream: null }, ...streamModels];
    const models = steps.map((step) => step.model);
    const batches = chunk(series.slices.map((_, i) => i), batchSize);
    let next: Promise<PreparedBatch> | null = batches[0] ? preparer.prepare(batches[0], models) : null;
    let done = 0;
    let partCount = 0;
    for (let b = 0; b < batches.length; b++) {
      checkCancelled();
      const batch = await next!;
      // Start decoding the following batch now; it runs while onnxruntime computes this one.
      next = b + 1 < batches.length ? preparer.prepare(batches[b + 1]!, models) : null;
      next?.catch(() => undefined);
      const n = batch.indices.length;
      const start = (i: number): Promise<Record<string, ModelOutput>> | null => {
        const step = steps[i];
        if (!step || n === 0) return null;
        return timed(step.stream === null ? 'stage2' : 'stage3', () => runner.run(step.model.id, preparer.tensorFor(batch, step.model), n));
      };
      let pending = start(0);
      // The gates are computed while onnxruntime (own thread) runs the first model.
      const gateStarted = performance.now();
      const batchGates = batch.slices.map((slice) => (gateUsable && slice.huWindowed ? computeLungGate(slice.grey, slice.rows, slice.columns, ctWindow, pixelSpacing) : null));
      timings.gate += performance.now() - gateStarted;
      for (let i = 0; i < steps.length; i++) {
        const { model, stream } = steps[i]!;
        const outputs = pending ? await pending : null;
        if (i > 0) checkCancelled();
        pending = start(i + 1);
        if (outputs && stream === null) {
          batch.indices.forEach((index, row) => manifestationsBySlice.set(index, manifestationsRow(outputs, model, row)));
        } else if (outputs && stream !== null) {
          const t0 = performance.now();
          const parts = maskParts.get(stream) ?? [];
          const part = masksOf(outputs, model, stream, n, preparer.grid!);
          parts.push(part);
          maskParts.set(stream, parts);
          const t1 = performance.now();
          timings.stage3 += t1 - t0;
          const sliceSize = preparer.grid!.rows * preparer.grid!.columns;
          batchGates.forEach((gate, row) => {
            if (gate) countRemoved(stream, applyLungGate(part, row * sliceSize, gate, stream));
          });
          timings.gate += performance.now() - t1;
        }
        if (stream === null) {
          done += batches[b]!.length;
          report('manifestations', done, sliceCount, batches[b]!.length);
        } else {
          report('segmentation', done, sliceCount, batches[b]!.length);
        }
      }
      // Batches without a decodable slice add no mask part.
      const part = batch.indices.length > 0 ? partCount++ : -1;
      batch.indices.forEach((_, row) => slots.push({ part, offset: row * (preparer.grid?.rows ?? 0) * (preparer.grid?.columns ?? 0) }));
      gates.push(...batchGates);
      maskIndices.push(...batch.indices);
      for (const index of batch.indices) preparer.release(index);
    }
  }
  if (gates.some((gate) => gate !== null)) {
    // Effusion (binary stream, all-class label 3) once every slice's lung is known.
    const t0 = performance.now();
    const effusionStreams = streamModels.map((s) => s.stream).filter((stream) => stream === 'effusion' || stream === 'all');
    const positions = series.spacingMm ? maskIndices.map((index) => index * series.spacingMm![2]) : null;
    if (effusionStreams.length > 0) {
      for (const { slot, allowed } of pleuralAllowances(gates, positions)) {
        const { part, offset } = slots[slot]!;
        for (const stream of effusionStreams) {
          const labels = maskParts.get(stream)?.[part];
          if (labels) countRemoved(stream, applyLungGate(labels, offset, gates[slot]!, stream, allowed));
        }
      }
    }
    timings.gate += performance.now() - t0;
  }

  const gateSummary = (): AnatomicalGateSummary => {
    const gated = gates.filter((gate): gate is LungGate => gate !== null);
    const summary: AnatomicalGateSummary = {
      applied: gated.length > 0,
      reason: null,
      slicesGated: gated.length,
      slicesWithLung: gated.filter((gate) => gate.lungPixels > 0).length,
      removed: {},
    };
    if (!gateWanted) summary.reason = 'Switched off for this analysis.';
    else if (!gateUsable) summary.reason = `The CT window (${ctWindow.center}/${ctWindow.width}) cannot separate air, lung and tissue.`;
    else if (gated.length === 0) summary.reason = 'No slice is an HU-calibrated CT DICOM image (PNG/JPEG grey levels are not densities).';
    if (summary.applied) {
      for (const { stream } of streamModels) {
        const pixelCount = removed.get(stream) ?? 0;
        summary.removed[stream] = { pixelCount, volumeMl: volumeMlOf(pixelCount, series.spacingMm) };
      }
    }
    return summary;
  };

  const resultIndices = runsStage23 ? maskIndices : [...recognitionBySlice.keys()].sort((a, b) => a - b);
  if (resultIndices.length === 0) throw new Error('No image of this series could be decoded.');
  const { result, masks } = assemble({
    series,
    resultIndices,
    sizes: preparer.sizes,
    recognitionBySlice,
    recognition,
    manifestationsBySlice,
    maskParts,
    maskIndices,
    streamModels: streamModels.map(({ stream, model }) => ({ stream, modelId: model.id })),
    grid: preparer.grid,
  });
  if (runsStage23 && streamModels.length > 0) result.anatomicalGate = gateSummary();
  return {
    result,
    masks,
    skipped: preparer.skipped,
    timingsMs: { decode: preparer.busyMs, ...timings, total: performance.now() - started },
  };
}

/** A batch's probability maps as labels on the source grid (slice-major). */
function masksOf(outputs: Record<string, ModelOutput>, model: ResolvedModel, stream: StreamId, n: number, grid: { rows: number; columns: number }): Uint8Array {
  const prob = outputOf(outputs, model, 0).value;
  const classes = prob.dims[1] ?? 1;
  const size = model.input.size;
  const { rows, columns } = grid;
  const volume = new Uint8Array(n * rows * columns);
  for (let row = 0; row < n; row++) {
    const offset = row * classes * size * size;
    if (stream === 'all') argmaxMask(prob.data, offset, classes, size, rows, columns, volume, row * rows * columns);
    else binaryMask(prob.data, offset, size, rows, columns, model.thresholds?.[stream] ?? 0.5, volume, row * rows * columns);
  }
  return volume;
}
