/**
 * The inference engine: the El-bana et al. three-stage pipeline over the ONNX models in
 * `<modelsDir>/manifest.json`, run in a worker thread with onnxruntime-node. Plain Node.
 */
export { InferenceEngine, JobCancelledError, type EngineJob, type EngineOptions } from './client';
export { loadManifest, ModelManifest, ModelsUnavailableError, MODEL_IDS, type LoadedManifest, type ModelId, type Preprocessing, type ResolvedModel } from './manifest';
export { STREAM_MODELS } from './pipeline/model-runner';
export { STAGE1_AGGREGATION, STAGE1_MAX_SLICES, selectStage1Slices } from './pipeline/stage1';
export type * from './types';
export { createAnalysisService, AnalysisError, type AnalysisRequest, type AnalysisService, type AnalysisServiceOptions } from './analysis-service';
export { instanceKey, kindOfModality, seriesInputFromImage, seriesInputFromIngest, UnsupportedSeriesError } from './series-input';
