import { MANIFESTATIONS, type ManifestationProbabilities, type Recognition, type StreamId } from '../../../../common/analysis/report';
import type { Preprocessing, ResolvedModel } from '../manifest';

/** The segmentation model behind each stream. */
export const STREAM_MODELS: Record<StreamId, string> = {
  ggo: 'seg-ggo',
  consolidation: 'seg-consolidation',
  effusion: 'seg-effusion',
  all: 'seg-all',
};

export interface ModelOutput {
  data: Float32Array;
  dims: readonly number[];
}

/** What the pipeline needs from the inference runtime (the worker's ONNX sessions). */
export interface ModelRunner {
  preprocessing: Preprocessing;
  model(id: string): ResolvedModel | undefined;
  run(id: string, input: Float32Array, batch: number): Promise<Record<string, ModelOutput>>;
}

export function requireModel(runner: ModelRunner, id: string): ResolvedModel {
  const model = runner.model(id);
  if (!model) throw new Error(`The model "${id}" is not in manifest.json.`);
  return model;
}

/** Output `index` of the manifest entry, with its labels. */
export function outputOf(outputs: Record<string, ModelOutput>, model: ResolvedModel, index: number): { labels: string[]; value: ModelOutput } {
  const spec = model.outputs[index];
  const value = spec ? outputs[spec.name] : undefined;
  if (!spec || !value) throw new Error(`Model ${model.id} did not produce output ${spec?.name ?? index}.`);
  return { labels: spec.labels ?? [], value };
}

/** Row `row` of an [N, K] output as label -> probability (by the manifest's labels, not by position). */
function rowByLabel(output: { labels: string[]; value: ModelOutput }, row: number, modelId: string) {
  const width = output.value.dims[1] ?? output.labels.length;
  const values = new Map<string, number>();
  output.labels.forEach((label, k) => values.set(label, output.value.data[row * width + k]!));
  return (name: string): number => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`The ${modelId} model has no "${name}" output label.`);
    return value;
  };
}

export function recognitionRow(outputs: Record<string, ModelOutput>, model: ResolvedModel, row: number): Recognition {
  const p2 = rowByLabel(outputOf(outputs, model, 0), row, model.id);
  const p4 = rowByLabel(outputOf(outputs, model, 1), row, model.id);
  return {
    p2: { normal: p2('normal'), covid19: p2('covid19') },
    p4: { covid19: p4('covid19'), normal: p4('normal'), viral: p4('viral'), bacterial: p4('bacterial') },
  };
}

export function manifestationsRow(outputs: Record<string, ModelOutput>, model: ResolvedModel, row: number): ManifestationProbabilities {
  const probs = rowByLabel(outputOf(outputs, model, 0), row, model.id);
  const value = {} as ManifestationProbabilities;
  for (const name of MANIFESTATIONS) value[name] = probs(name);
  return value;
}
