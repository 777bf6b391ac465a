/**
 * DICOM ingest: recursive folder scan, header parsing (dicom-parser, stopping at the
 * pixel data), grouping into study -> series -> instances, slice ordering by
 * position along the slice normal, consistency checks, and the registry of opened
 * instances behind `/instance/<id>`. Plain Node; never writes to a study folder.
 */
export { createStudiesService } from './service';
export type { OpenOptions, StudiesService, StudiesServiceOptions } from './service';
export { scanPaths, inspectFile } from './scan';
export type { FileVerdict, ScanOptions, ScanOutcome } from './scan';
export { readHeader } from './read-header';
export { toScanResult, toStudySummary, toSeriesSummary } from './registry';
export type { ImageRecord, IngestedInstance, IngestedSeries, IngestedStudy, ParsedFile } from './types';
