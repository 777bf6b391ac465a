/**
 * DICOM Segmentation (SEG) writing and reading: binary segmentations over a series,
 * one segment per finding, readable by other DICOM tools. Shared by review sessions
 * (one SEG per reader layer) and the analyzer's seg.dcm.
 */
export { buildSegmentation, formatDs, SEGMENTATION_STORAGE_SOP_CLASS } from './write-seg';
export { readSegmentation, type SegReadTarget } from './read-seg';
export { FINDING_CODES, FINDING_COLOURS_RGB, MORPHOLOGICALLY_ABNORMAL_STRUCTURE, rgbToDicomLab, type CodedConcept } from './codes';
export { readSegSourceHeader, type SegSourceHeader } from './source-header';
export { labelsOfStream, streamSegments, type StreamSegmentMapping, type StreamSegmentOptions } from './streams';
export { buildAnalysisSeg, segSourceFromSeries } from './series-seg';
export { newUid } from './uid';
export type * from './types';
