import { basename } from 'node:path';
import { MANIFESTATION_LABELS, MANIFESTATIONS, type Manifestation, type StreamId } from '../../../common/analysis/report';
import type { MaskStat, SessionFile } from '../../../common/sessions';
import {
  buildProbabilityCsv,
  buildReportHtml,
  FINDING_COLOURS_RGB,
  redactIdentifiers,
  renderKeyImage,
  type KeyImageOverlay,
  type ReportKeyImage,
} from '../export';
import { ANONYMOUS_PATIENT, encodeLayerSeg, type LayerMasks } from './layer-masks';
import { SessionError } from './session-error';

/** What an export needs from an open session (working state: includes unsaved edits). */
export interface ExportContext {
  /** session.json with the reader layers as currently edited. */
  file: SessionFile;
  anonymise: boolean;
  appVersion: string;
  generatedAt: Date;
  dirty: boolean;
  layerMasks(layerId: string): Promise<LayerMasks>;
  layerStats(layerId: string): MaskStat[];
  /** Source DICOM files in slice order; null while the study is not located. */
  sourceFiles: string[] | null;
  printToPdf(html: string): Promise<Uint8Array>;
}

const DEIDENTIFICATION_METHOD = 'Pleura anonymised export: patient and study identifiers replaced';
const READER_OUTLINES: ReadonlyArray<readonly [number, number, number]> = [
  [255, 255, 255],
  [0, 230, 230],
  [230, 0, 230],
  [140, 255, 140],
];
const KEY_IMAGE_SIZE = 384;

/** One layer's masks as a DICOM SEG, with the patient module replaced when anonymising. */
export async function exportLayerSeg(context: ExportContext, layerId: string): Promise<Uint8Array> {
  const masks = await context.layerMasks(layerId);
  if (masks.size === 0) {
    throw new SessionError('no-masks', layerId === 'ai' ? 'This session has no AI masks to export.' : 'This reader has not edited any mask yet; export the AI layer instead.');
  }
  const reader = context.file.readers.find((item) => item.layerId === layerId);
  const modelOfStream: Partial<Record<StreamId, { id: string; version: string }>> = {};
  for (const summary of context.file.ai?.analysis.series.streams ?? []) {
    const model = context.file.ai?.analysis.models.find((item) => item.id === summary.modelId);
    modelOfStream[summary.stream] = { id: summary.modelId, version: model?.version ?? 'unknown' };
  }
  return encodeLayerSeg(context.file.study, masks, {
    kind: layerId === 'ai' ? 'ai' : 'reader',
    ...(reader ? { readerName: reader.readerName } : {}),
    modelOfStream,
    appVersion: context.appVersion,
    seriesNumber: layerId === 'ai' ? 9000 : 9000 + Number(layerId.slice('reader-'.length)),
    seriesDescription: layerId === 'ai' ? 'Pleura AI segmentation' : `Pleura review: ${reader?.readerName ?? layerId}`,
    ...(context.anonymise ? { patient: ANONYMOUS_PATIENT, deidentificationMethod: DEIDENTIFICATION_METHOD } : {}),
  }).bytes;
}

/** Where a manifestation's mask lives in a layer: its own stream, else the all-class labels. */
function manifestationMask(masks: LayerMasks, manifestation: Manifestation): Uint8Array | null {
  const own = masks.get(manifestation);
  if (own) return own;
  const all = masks.get('all');
  if (!all) return null;
  const label = MANIFESTATIONS.indexOf(manifestation) + 1;
  const binary = new Uint8Array(all.length);
  for (let i = 0; i < all.length; i++) if (all[i] === label) binary[i] = 1;
  return binary;
}

function pixelsPerSliceOf(mask: Uint8Array, slices: number, pixelsPerSlice: number): number[] {
  const counts = new Array<number>(slices).fill(0);
  for (let s = 0; s < slices; s++) {
    let count = 0;
    const end = (s + 1) * pixelsPerSlice;
    for (let i = s * pixelsPerSlice; i < end; i++) if (mask[i]) count++;
    counts[s] = count;
  }
  return counts;
}

export async function exportProbabilitiesCsv(context: ExportContext): Promise<Uint8Array> {
  const { study } = context.file;
  const aiMasks = await context.layerMasks('ai');
  const pixelsPerSlice = study.rows * study.columns;
  const perManifestation = Object.fromEntries(
    MANIFESTATIONS.map((m) => {
      const mask = manifestationMask(aiMasks, m);
      return [m, mask ? pixelsPerSliceOf(mask, study.instances.length, pixelsPerSlice) : null];
    }),
  ) as Record<Manifestation, number[] | null>;
  const csv = buildProbabilityCsv({
    series: context.file.ai?.analysis.series ?? null,
    anonymise: context.anonymise,
    slices: study.instances.map((instance, index) => ({
      slice: index + 1,
      sopInstanceUid: instance.frame === null ? instance.sopInstanceUid : `${instance.sopInstanceUid}#${instance.frame}`,
      maskPixels: {
        ggo: perManifestation.ggo?.[index] ?? null,
        consolidation: perManifestation.consolidation?.[index] ?? null,
        effusion: perManifestation.effusion?.[index] ?? null,
      },
    })),
  });
  return new TextEncoder().encode(csv);
}

async function keyImages(context: ExportContext): Promise<{ images: ReportKeyImage[]; note: string | null }> {
  if (!context.sourceFiles) return { images: [], note: 'Key images are not included: the study was not found on this workstation.' };
  const { study } = context.file;
  const pixelsPerSlice = study.rows * study.columns;
  const ai = await context.layerMasks('ai');
  const readers = [];
  for (const reader of context.file.readers) readers.push({ reader, masks: await context.layerMasks(reader.layerId) });
  const images: ReportKeyImage[] = [];
  const failures: string[] = [];
  for (const manifestation of MANIFESTATIONS) {
    const aiMask = manifestationMask(ai, manifestation);
    const readerMasks = readers.map(({ reader, masks }, index) => ({ reader, index, mask: manifestationMask(masks, manifestation) }));
    // The key slice is where the AI (or, without AI masks, the first reader) sees the most.
    const reference = aiMask ?? readerMasks.find((item) => item.mask)?.mask ?? null;
    if (!reference) continue;
    const counts = pixelsPerSliceOf(reference, study.instances.length, pixelsPerSlice);
    const best = counts.reduce((bestIndex, count, index) => (count > counts[bestIndex]! ? index : bestIndex), 0);
    if (counts[best] === 0) continue;
    const slice = (mask: Uint8Array) => mask.subarray(best * pixelsPerSlice, (best + 1) * pixelsPerSlice);
    const overlays: KeyImageOverlay[] = [];
    if (aiMask) overlays.push({ mask: slice(aiMask), colourRgb: FINDING_COLOURS_RGB[manifestation], style: 'fill' });
    const outlined: string[] = [];
    for (const { reader, index, mask } of readerMasks) {
      if (!mask) continue;
      overlays.push({ mask: slice(mask), colourRgb: READER_OUTLINES[index % READER_OUTLINES.length]!, style: 'outline' });
      outlined.push(reader.readerName);
    }
    const window = study.modality === 'CT' ? (manifestation === 'effusion' ? { center: 40, width: 400 } : { center: -600, width: 1500 }) : 'auto';
    try {
      const png = await renderKeyImage({
        dicomPath: context.sourceFiles[best]!,
        frame: study.instances[best]!.frame,
        window,
        overlays,
        maxSize: KEY_IMAGE_SIZE,
      });
      const legend = [...(aiMask ? ['AI mask filled'] : []), ...(outlined.length > 0 ? [`outlines: ${outlined.join(', ')}`] : [])];
      images.push({
        caption: `${MANIFESTATION_LABELS[manifestation]}: slice ${best + 1} of ${study.instances.length} (${legend.join('; ')})`,
        pngBase64: Buffer.from(png).toString('base64'),
      });
    } catch (error) {
      failures.push(`${basename(context.sourceFiles[best]!)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const note = failures.length > 0 ? `Some key images could not be drawn (${failures.join('; ')}).` : null;
  return { images, note };
}

/** The review report: AI results, key images, each reader's opinion and signature, printed by Chromium. */
export async function exportReviewPdf(context: ExportContext): Promise<Uint8Array> {
  const { file, anonymise } = context;
  const patient = file.study.patient;
  const scrub = (text: string) => (anonymise ? redactIdentifiers(text, patient) : text);
  const { images, note } = await keyImages(context);
  const html = buildReportHtml({
    title: anonymise ? 'Pleura review report' : `Pleura review report: ${file.name}`,
    anonymised: anonymise,
    generatedAt: context.generatedAt.toISOString(),
    appVersion: context.appVersion,
    sessionId: file.sessionId,
    revision: file.revision,
    savedAt: file.savedAt,
    unsavedChanges: context.dirty,
    patient: anonymise ? null : patient,
    study: {
      studyDate: anonymise ? null : file.study.studyDate,
      accessionNumber: anonymise ? null : file.study.accessionNumber,
      studyDescription: scrub(file.study.studyDescription),
      seriesDescription: scrub(file.study.seriesDescription),
      modality: file.study.modality,
      slices: file.study.instances.length,
      rows: file.study.rows,
      columns: file.study.columns,
    },
    ai: file.ai
      ? {
          series: file.ai.analysis.series,
          models: file.ai.analysis.models,
          createdAt: file.ai.analysis.createdAt,
          executionProvider: file.ai.analysis.executionProvider,
          maskStats: context.layerStats('ai'),
        }
      : null,
    readers: file.readers.map((reader) => ({
      layerId: reader.layerId,
      readerName: reader.readerName,
      opinions: reader.opinions,
      findings: scrub(reader.findings),
      impression: scrub(reader.impression),
      signedAt: reader.signedAt,
      editedStreams: [...new Set(context.layerStats(reader.layerId).map((stat) => stat.stream))],
      maskStats: context.layerStats(reader.layerId),
    })),
    keyImages: images,
    keyImagesNote: note,
  });
  return context.printToPdf(html);
}
