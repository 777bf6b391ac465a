import {
  MANIFESTATION_LABELS,
  MANIFESTATIONS,
  RESEARCH_NOTICE,
  type Manifestation,
  type SeriesResult,
  type StreamId,
} from '../../../../common/analysis/report';
import type { MaskStat, Opinions, PatientRef } from '../../../../common/sessions';
import { gateNote } from '../../../../common/analysis/gate-note';

export interface ReportReader {
  layerId: string;
  readerName: string;
  opinions: Opinions;
  findings: string;
  impression: string;
  signedAt: string | null;
  editedStreams: StreamId[];
  maskStats: MaskStat[];
}

export interface ReportKeyImage {
  caption: string;
  pngBase64: string;
}

export interface ReviewReportInput {
  title: string;
  anonymised: boolean;
  generatedAt: string;
  appVersion: string;
  sessionId: string;
  revision: number;
  savedAt: string;
  unsavedChanges: boolean;
  /** Null in anonymised reports. */
  patient: PatientRef | null;
  study: {
    /** Null in anonymised reports. */
    studyDate: string | null;
    accessionNumber: string | null;
    studyDescription: string;
    seriesDescription: string;
    modality: string;
    slices: number;
    rows: number;
    columns: number;
  };
  ai: {
    series: SeriesResult;
    models: Array<{ id: string; version: string; sha256: string }>;
    createdAt: string;
    executionProvider: string | null;
    maskStats: MaskStat[];
  } | null;
  readers: ReportReader[];
  keyImages: ReportKeyImage[];
  keyImagesNote: string | null;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function volume(stat: MaskStat | undefined): string {
  if (!stat) return '—';
  const ml = stat.volumeMl === null ? `${stat.pixelCount} px` : `${stat.volumeMl.toFixed(2)} mL`;
  return `${ml} (${stat.sliceCount} slice${stat.sliceCount === 1 ? '' : 's'})`;
}

const STREAM_NAMES: Record<StreamId, string> = { ggo: 'GGO model', consolidation: 'consolidation model', effusion: 'effusion model', all: 'all-class model' };
const OPINION_TEXT = { agree: 'Agree', disagree: 'Disagree', uncertain: 'Uncertain' } as const;

function dicomDate(value: string): string {
  return /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value;
}

function personName(value: string): string {
  return value.replace(/\^+/g, ' ').trim();
}

function statsTable(stats: readonly MaskStat[]): string {
  if (stats.length === 0) return '<p class="muted">No masks.</p>';
  const rows = stats
    .map((stat) => `<tr><td>${escapeHtml(MANIFESTATION_LABELS[stat.manifestation])}</td><td>${escapeHtml(STREAM_NAMES[stat.stream])}</td><td>${escapeHtml(volume(stat))}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>Finding</th><th>Stream</th><th>Volume</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function aiSection(ai: NonNullable<ReviewReportInput['ai']>): string {
  const recognition = ai.series.recognition;
  const manifestations = ai.series.manifestations;
  const recognitionHtml = recognition
    ? `<p><b>Stage 1 verdict:</b> ${escapeHtml(recognition.verdict2 === 'covid19' ? 'COVID-19' : 'Normal')} (COVID-19 ${percent(recognition.probabilities.p2.covid19)});
       4-class: COVID-19 ${percent(recognition.probabilities.p4.covid19)}, normal ${percent(recognition.probabilities.p4.normal)},
       viral ${percent(recognition.probabilities.p4.viral)}, bacterial ${percent(recognition.probabilities.p4.bacterial)}
       (${escapeHtml(recognition.aggregation)}, ${recognition.slicesUsed} slices).</p>`
    : '<p class="muted">No stage 1 result.</p>';
  const manifestationRows = MANIFESTATIONS.map((m: Manifestation) => {
    const max = manifestations ? percent(manifestations.max[m]) : '—';
    const mean = manifestations ? percent(manifestations.mean[m]) : '—';
    return `<tr><td>${escapeHtml(MANIFESTATION_LABELS[m])}</td><td>${max}</td><td>${mean}</td></tr>`;
  }).join('');
  const gate = gateNote(ai.series.anatomicalGate);
  const models = ai.models
    .map((model) => `<tr><td>${escapeHtml(model.id)}</td><td>${escapeHtml(model.version)}</td><td class="mono">${escapeHtml(model.sha256.slice(0, 16))}</td></tr>`)
    .join('');
  return `<section><h2>AI second opinion</h2>
    ${recognitionHtml}
    <table><thead><tr><th>Manifestation</th><th>Highest slice probability</th><th>Mean probability</th></tr></thead><tbody>${manifestationRows}</tbody></table>
    <h3>AI mask volumes</h3>${statsTable(ai.maskStats)}
    ${gate ? `<p class="muted" data-gate>${escapeHtml(gate)}</p>` : ''}
    <h3>Models</h3><table><thead><tr><th>Model</th><th>Version</th><th>SHA-256</th></tr></thead><tbody>${models}</tbody></table>
    <p class="muted">Analysed ${escapeHtml(ai.createdAt)}${ai.executionProvider ? ` on ${escapeHtml(ai.executionProvider.toUpperCase())}` : ''}.</p>
  </section>`;
}

function readerSection(reader: ReportReader): string {
  const opinions = MANIFESTATIONS.map((m) => {
    const opinion = reader.opinions[m];
    return `<tr><td>${escapeHtml(MANIFESTATION_LABELS[m])}</td><td>${opinion ? OPINION_TEXT[opinion] : 'Not stated'}</td></tr>`;
  }).join('');
  const signature = reader.signedAt
    ? `<p class="signature">Signed by ${escapeHtml(reader.readerName)} on ${escapeHtml(reader.signedAt)}</p>`
    : `<p class="signature unsigned">Not signed</p>`;
  const edited = reader.editedStreams.length > 0 ? `<h3>Edited masks</h3>${statsTable(reader.maskStats)}` : '<p class="muted">Masks not edited (AI masks accepted as shown).</p>';
  return `<section class="reader"><h2>Reader: ${escapeHtml(reader.readerName)}</h2>
    <table><thead><tr><th>AI finding</th><th>Opinion</th></tr></thead><tbody>${opinions}</tbody></table>
    <h3>Findings</h3><p class="text">${escapeHtml(reader.findings || '—')}</p>
    <h3>Impression</h3><p class="text">${escapeHtml(reader.impression || '—')}</p>
    ${edited}
    ${signature}
  </section>`;
}

/**
 * The review report as one self-contained HTML document (inline CSS, images as data
 * URLs, no scripts) for Chromium's print-to-PDF. Everything shown is escaped.
 */
export function buildReportHtml(input: ReviewReportInput): string {
  const patient = input.patient
    ? `<tr><th>Patient</th><td>${escapeHtml(personName(input.patient.name))}</td><th>Patient ID</th><td>${escapeHtml(input.patient.id)}</td></tr>
       <tr><th>Birth date</th><td>${escapeHtml(dicomDate(input.patient.birthDate) || '—')}</td><th>Sex</th><td>${escapeHtml(input.patient.sex || '—')}</td></tr>`
    : `<tr><th>Patient</th><td colspan="3">Anonymised export: patient identifiers removed</td></tr>`;
  const studyDate = input.study.studyDate !== null ? `<tr><th>Study date</th><td>${escapeHtml(dicomDate(input.study.studyDate) || '—')}</td><th>Accession</th><td>${escapeHtml(input.study.accessionNumber || '—')}</td></tr>` : '';
  const keyImages =
    input.keyImages.length > 0
      ? `<section class="key-images"><h2>Key images</h2><div class="keys">${input.keyImages
          .map((image) => `<figure><img src="data:image/png;base64,${image.pngBase64}" alt=""><figcaption>${escapeHtml(image.caption)}</figcaption></figure>`)
          .join('')}</div></section>`
      : '';
  const keyNote = input.keyImagesNote ? `<p class="muted">${escapeHtml(input.keyImagesNote)}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(input.anonymised ? 'Pleura review report (anonymised)' : input.title)}</title>
<style>
  @page { size: A4; margin: 14mm; }
  body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #111; }
  h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12.5pt; margin: 12pt 0 4pt; border-bottom: 1px solid #999; break-after: avoid; } h3 { font-size: 10.5pt; margin: 8pt 0 3pt; }
  table { border-collapse: collapse; width: 100%; margin: 3pt 0; } th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
  th { background: #eee; } .muted { color: #555; } .mono { font-family: 'DejaVu Sans Mono', monospace; }
  .notice { border: 2px solid #b00; background: #fff3f3; padding: 5pt; font-weight: bold; }
  .text { white-space: pre-wrap; } .signature { font-weight: bold; margin-top: 6pt; } .unsigned { color: #a00; }
  .keys { display: flex; flex-wrap: wrap; gap: 6pt; } figure { margin: 0; width: 48%; break-inside: avoid; } figure img { width: 100%; } figcaption { font-size: 9pt; }
  section { break-inside: auto; } .reader { break-inside: avoid; } .key-images { break-inside: avoid; }
</style></head><body>
<h1>Pleura review report</h1>
<p class="notice">${escapeHtml(RESEARCH_NOTICE)}</p>
<section><h2>Study</h2><table>${patient}${studyDate}
  <tr><th>Study</th><td>${escapeHtml(input.study.studyDescription || '—')}</td><th>Series</th><td>${escapeHtml(input.study.seriesDescription || '—')} (${escapeHtml(input.study.modality)}, ${input.study.slices} slices, ${input.study.rows}x${input.study.columns})</td></tr>
</table></section>
${input.ai ? aiSection(input.ai) : '<section><h2>AI second opinion</h2><p class="muted">This session has no AI analysis.</p></section>'}
${keyImages}${keyNote}
${input.readers.map(readerSection).join('\n')}
<section><h2>About this report</h2><p class="muted">Session ${escapeHtml(input.sessionId)}, revision ${input.revision}, saved ${escapeHtml(input.savedAt)}${input.unsavedChanges ? ' (the report includes changes not yet saved)' : ''}. Generated ${escapeHtml(input.generatedAt)} by Pleura ${escapeHtml(input.appVersion)}.</p></section>
</body></html>`;
}
