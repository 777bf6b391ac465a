/**
 * Standard exports of review results: DICOM SEG (./seg), the review report as HTML
 * for print-to-PDF with key images, and the per-slice probability CSV. Plain Node.
 */
export * from './seg';
export { buildProbabilityCsv, type ProbabilityCsvInput, type ProbabilityCsvSlice } from './csv';
export { buildReportHtml, percent, type ReportKeyImage, type ReportReader, type ReviewReportInput } from './report/report-html';
export { renderKeyImage, type KeyImageOverlay, type KeyImageRequest } from './report/key-images';
export { redactIdentifiers } from './redact';
