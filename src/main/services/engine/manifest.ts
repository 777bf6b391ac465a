import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';

/** The model ids of docs/model-contract.md and what each one is for. */
export const MODEL_IDS = ['recognition', 'manifestations', 'seg-ggo', 'seg-consolidation', 'seg-effusion', 'seg-all'] as const;
export type ModelId = (typeof MODEL_IDS)[number];

export const Preprocessing = z.object({
  ctWindow: z.object({ center: z.number(), width: z.number().positive() }),
  clahe: z.object({ tiles: z.number().int().min(1).max(64), clipLimit: z.number().positive() }),
  normalize: z.object({ mean: z.number(), std: z.number().positive() }),
  resize: z.literal('bilinear-half-pixel'),
  infnetOrientation: z.string().optional(),
});
export type Preprocessing = z.infer<typeof Preprocessing>;

export const ModelEntry = z.looseObject({
  id: z.string().min(1),
  stage: z.number().int().min(1).max(3),
  task: z.string(),
  version: z.string().min(1),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'sha256 must be 64 hex digits'),
  bytes: z.number().int().nonnegative().optional(),
  weightStorage: z.enum(['int8-qdq', 'fp32', 'fp16']).default('fp32'),
  input: z.object({
    name: z.string().min(1),
    size: z.number().int().positive(),
    channels: z.number().int().positive(),
    layout: z.literal('NCHW'),
    dtype: z.literal('float32'),
  }),
  outputs: z.array(z.object({ name: z.string().min(1), labels: z.array(z.string()).optional() })).min(1),
  thresholds: z.record(z.string(), z.number()).optional(),
});
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelManifest = z.looseObject({
  schemaVersion: z.literal(1),
  preprocessing: Preprocessing,
  models: z.array(ModelEntry).min(1),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/** A manifest model with its file resolved inside the models folder. */
export interface ResolvedModel extends ModelEntry {
  path: string;
}

export interface LoadedManifest {
  manifest: ModelManifest;
  models: Map<string, ResolvedModel>;
}

export class ModelsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelsUnavailableError';
  }
}

/** Reads and validates `<modelsDir>/manifest.json`; each file must stay inside modelsDir. */
export async function loadManifest(modelsDir: string): Promise<LoadedManifest> {
  const manifestPath = join(modelsDir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new ModelsUnavailableError(`The AI models are not installed: ${manifestPath} is missing.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelsUnavailableError(`${manifestPath} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = ModelManifest.safeParse(json);
  if (!parsed.success) {
    throw new ModelsUnavailableError(`${manifestPath} does not follow the model contract: ${z.prettifyError(parsed.error)}`);
  }
  const root = resolve(modelsDir);
  const models = new Map<string, ResolvedModel>();
  for (const entry of parsed.data.models) {
    const path = resolve(root, entry.file);
    if (!path.startsWith(root + sep)) throw new ModelsUnavailableError(`Model ${entry.id}: file "${entry.file}" is outside the models folder.`);
    models.set(entry.id, { ...entry, path });
  }
  return { manifest: parsed.data, models };
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Refuses a model whose bytes differ from the manifest (corrupt download, wrong file). */
export async function verifyModelFile(model: ResolvedModel): Promise<void> {
  let actual: string;
  try {
    actual = await sha256OfFile(model.path);
  } catch {
    throw new ModelsUnavailableError(`Model ${model.id}: ${model.path} is missing.`);
  }
  if (actual.toLowerCase() !== model.sha256.toLowerCase()) {
    throw new ModelsUnavailableError(`Model ${model.id}: ${model.file} does not match its sha256 in manifest.json (corrupt or replaced file).`);
  }
}
