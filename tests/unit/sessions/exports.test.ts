import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESEARCH_NOTICE } from '../../../src/common/analysis/report';
import { readSegmentation } from '../../../src/main/services/export/seg';
import { SessionError } from '../../../src/main/services/sessions';
import { startChromiumPrinter, type ChromiumPrinter } from './support/chromiumPdf';
import { copyStudy, countLabel, FIXTURE_PATIENT, paintRect, PIXELS, tempDir, workstation, type Workstation } from './support/harness';

let printer: ChromiumPrinter;
let root: string;
let ws: Workstation;
let sessionId: string;
let studyFolder: string;
let aiEffusionPixels: number;
let sopInstanceUids: string[];

function pdfText(pdf: Uint8Array, path: string): Promise<string> {
  return writeFile(path, pdf).then(() => execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }));
}

function containsBytes(haystack: Uint8Array, needle: string): boolean {
  const buffer = Buffer.from(haystack);
  return buffer.includes(Buffer.from(needle, 'latin1')) || buffer.includes(Buffer.from(needle, 'utf16le'));
}

beforeAll(async () => {
  printer = await startChromiumPrinter();
  root = await tempDir('exports');
  studyFolder = await copyStudy(join(root, 'study'));
  ws = await workstation({ userData: join(root, 'userData'), printToPdf: (html) => printer.printToPdf(html) });
  const series = await ws.openStudy(studyFolder);
  const analysis = await ws.analyse(series);
  aiEffusionPixels = countLabel(analysis.masks.find((mask) => mask.stream === 'effusion')!.labels);
  sopInstanceUids = series.instances.map((instance) => instance.sopInstanceUid);
  const session = await ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'Dr Ada Moreno' });
  sessionId = session.sessionId;
  await ws.sessions.setOpinion(sessionId, 'reader-1', 'ggo', 'agree');
  await ws.sessions.setOpinion(sessionId, 'reader-1', 'consolidation', 'disagree');
  await ws.sessions.setOpinion(sessionId, 'reader-1', 'effusion', 'uncertain');
  // The reader types the patient's ID into the findings: anonymised exports must not carry it.
  await ws.sessions.setFindings(sessionId, 'reader-1', `Patient ${FIXTURE_PATIENT.id}: small right pleural effusion, no consolidation.`, 'Effusion; GGO plausible.');
  const effusion = (await ws.sessions.getMask(sessionId, 'ai', 'effusion')).labels!;
  paintRect(effusion, 2, 0, 0, 10, 10);
  await ws.sessions.saveMask(sessionId, { layerId: 'reader-1', stream: 'effusion', labels: effusion });
  await ws.sessions.sign(sessionId, 'reader-1', 'Dr Ada Moreno');
  const { layerId } = await ws.sessions.addReader(sessionId, 'Dr Ben Okafor');
  await ws.sessions.setOpinion(sessionId, layerId, 'ggo', 'disagree');
  await ws.sessions.setFindings(sessionId, layerId, 'Second read: GGO not convincing.', 'Pleural effusion only.');
  await ws.sessions.save(sessionId);
}, 120_000);

afterAll(async () => {
  await printer?.close();
  await rm(root, { recursive: true, force: true });
});

describe('exports', () => {
  it('prints a PDF report whose text holds the findings, opinions, probabilities, volumes, models and notice', async () => {
    const out = join(root, 'out', 'report.pdf');
    const result = await ws.sessions.export(sessionId, { kind: 'pdf', anonymise: false, path: out });
    expect(result).toMatchObject({ status: 'written', path: out });
    const pdf = new Uint8Array(await readFile(out));
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const text = (await pdfText(pdf, out)).replace(/\s+/g, ' ');
    expect(text).toContain(RESEARCH_NOTICE.slice(0, 60));
    expect(text).toContain(FIXTURE_PATIENT.name);
    expect(text).toContain('1945-03-12');
    expect(text).toContain('Reader: Dr Ada Moreno');
    expect(text).toContain('Reader: Dr Ben Okafor');
    expect(text).toContain('small right pleural effusion, no consolidation.');
    expect(text).toContain('Second read: GGO not convincing.');
    expect(text).toMatch(/Signed by Dr Ada Moreno on 20\d\d-/);
    expect(text).toContain('Not signed');
    expect(text).toMatch(/Ground-glass opacity Agree/);
    expect(text).toMatch(/Consolidation Disagree/);
    expect(text).toMatch(/Pleural effusion Uncertain/);
    // Stage 1 and 2 numbers of the analysis, and the AI effusion volume in mL.
    expect(text).toContain('COVID-19 88.5 %');
    expect(text).toMatch(/Pleural effusion 87\.5 % 87\.5 %/);
    const volume = ((aiEffusionPixels * 0.9765625 * 0.9765625 * 3) / 1000).toFixed(2);
    expect(text).toContain(`${volume} mL`);
    expect(text).toContain('seg-ggo 1.0.3');
    // The reader of the PDF learns that the AI masks were limited to anatomy, and what was cut.
    expect(text).toContain('Masks limited to the lungs (GGO, consolidation) and the pleural space (effusion). Removed outside them: all-class 118 mL.');
    // Key images: one per manifestation the AI found, drawn from the study's pixels.
    expect(text).toMatch(/Pleural effusion: slice \d of 4 \(AI mask filled; outlines: Dr Ada Moreno\)/);
    expect(text).toMatch(/Ground-glass opacity: slice 3 of 4/);
    const html = ws.printedHtml.at(-1)!;
    expect(html.match(/data:image\/png;base64,/g)).toHaveLength(3);
    expect(html).not.toMatch(/<script/i);
    // Electron prints the report from a data: URL, which Chromium caps at 2 MB.
    expect(encodeURIComponent(html).length).toBeLessThan(2 * 1024 * 1024);
  });

  it('writes a CSV of per-slice probabilities and AI mask areas', async () => {
    const out = join(root, 'out', 'probabilities.csv');
    await ws.sessions.export(sessionId, { kind: 'csv', anonymise: false, path: out });
    const lines = (await readFile(out, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe(
      'slice,sop_instance_uid,p_covid19_2class,p_normal_2class,p_covid19_4class,p_normal_4class,p_viral_4class,p_bacterial_4class,p_ggo,p_consolidation,p_effusion,ai_ggo_pixels,ai_consolidation_pixels,ai_effusion_pixels',
    );
    expect(lines).toHaveLength(5);
    const row3 = lines[3]!.split(',');
    expect(row3[0]).toBe('3');
    expect(row3[1]).toBe(sopInstanceUids[2]);
    expect(Number(row3[2])).toBeCloseTo(0.88, 6);
    expect(Number(row3[8])).toBeCloseTo(0.5, 6);
    expect(row3[11]).toBe(String(40 * 50));
    expect(row3[12]).toBe(String(20 * 25));
    const effusionTotal = lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[13]), 0);
    expect(effusionTotal).toBe(aiEffusionPixels);
  });

  it('exports the AI layer and a reader layer as DICOM SEG', async () => {
    const aiPath = join(root, 'out', 'ai.seg.dcm');
    await ws.sessions.export(sessionId, { kind: 'seg', anonymise: false, path: aiPath });
    const targets = sopInstanceUids.map((sopInstanceUid) => ({ sopInstanceUid, frame: null }));
    const ai = readSegmentation(new Uint8Array(await readFile(aiPath)), targets);
    expect(ai.segments).toHaveLength(6);
    expect(ai.segments.find((s) => s.label === 'Pleural effusion (effusion model)')!.mask.reduce((a, b) => a + b, 0)).toBe(aiEffusionPixels);
    const readerPath = join(root, 'out', 'reader-1.seg.dcm');
    await ws.sessions.export(sessionId, { kind: 'seg', layerId: 'reader-1', anonymise: false, path: readerPath });
    const reader = readSegmentation(new Uint8Array(await readFile(readerPath)), targets);
    expect(reader.segments.map((s) => [s.label, s.algorithmType])).toEqual([['Pleural effusion (effusion model)', 'MANUAL']]);
    const aiEffusion = (await ws.sessions.getMask(sessionId, 'ai', 'effusion')).labels!;
    let alreadyMasked = 0; // pixels of the reader's 10x10 square (slice 3, top left) the AI mask already had
    for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) alreadyMasked += aiEffusion[2 * PIXELS + r * 512 + c]!;
    expect(reader.segments[0]!.mask.reduce((a, b) => a + b, 0)).toBe(aiEffusionPixels + 100 - alreadyMasked);
    // Reader 2 edited no mask: a clear error instead of an empty file.
    const error = await ws.sessions.export(sessionId, { kind: 'seg', layerId: 'reader-2', anonymise: false, path: join(root, 'out', 'r2.dcm') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe('no-masks');
  });

  it('anonymised SEG, PDF and CSV carry no patient name, ID, birth date or accession number', async () => {
    const files = {
      seg: join(root, 'anon', 'ai.seg.dcm'),
      pdf: join(root, 'anon', 'report.pdf'),
      csv: join(root, 'anon', 'probabilities.csv'),
    } as const;
    for (const kind of ['seg', 'pdf', 'csv'] as const) {
      expect(await ws.sessions.export(sessionId, { kind, anonymise: true, path: files[kind] })).toMatchObject({ status: 'written' });
    }
    const pdfText = execFileSync('pdftotext', ['-layout', files.pdf, '-'], { encoding: 'utf8' });
    expect(pdfText).toContain('Anonymised export');
    expect(pdfText).toContain('Patient [removed]: small right pleural effusion');
    expect(pdfText).toContain('Dr Ada Moreno');
    const html = ws.printedHtml.at(-1)!;
    const identifiers = [FIXTURE_PATIENT.name, FIXTURE_PATIENT.birthDate, '1945-03-12', FIXTURE_PATIENT.accession];
    for (const identifier of identifiers) {
      expect(html.includes(identifier), `HTML holds ${identifier}`).toBe(false);
      expect(pdfText.includes(identifier), `PDF text holds ${identifier}`).toBe(false);
      for (const path of Object.values(files)) {
        expect(containsBytes(new Uint8Array(await readFile(path)), identifier), `${path} holds ${identifier}`).toBe(false);
      }
    }
    // The anonymised SEG still references the source images.
    const seg = readSegmentation(new Uint8Array(await readFile(files.seg)), sopInstanceUids.map((sopInstanceUid) => ({ sopInstanceUid, frame: null })));
    expect(seg.patientName).toBe('ANONYMOUS');
    expect((await readFile(files.csv, 'utf8')).includes(sopInstanceUids[0]!)).toBe(false);
  });

  it('never writes an export into the study folder, and a cancelled dialog writes nothing', async () => {
    const error = await ws.sessions.export(sessionId, { kind: 'csv', anonymise: false, path: join(studyFolder, 'p.csv') }).catch((e: unknown) => e);
    expect((error as SessionError).code).toBe('inside-study-folder');
    ws.saveAnswers.push(null);
    expect(await ws.sessions.export(sessionId, { kind: 'pdf', anonymise: false })).toEqual({ status: 'cancelled' });
    const audit = await ws.sessions.getAudit(sessionId);
    expect(audit.entries.filter((entry) => entry.action === 'exported').length).toBeGreaterThanOrEqual(7);
  });
});
