import { readFile } from 'node:fs/promises';
import { dcmjsData, toArrayBuffer, type NaturalDataset } from './dcmjs-runtime';
import type { SegPatientStudy } from './types';

export interface SegSourceHeader extends SegPatientStudy {
  frameOfReferenceUid: string | null;
  sopClassUid: string;
  seriesInstanceUid: string;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 ? text(value[0]) : '';
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String((value as { Alphabetic: unknown }).Alphabetic ?? '');
  return value === undefined || value === null ? '' : String(value);
}

/**
 * The study, patient and frame-of-reference attributes of a source image, which the
 * ingest summary does not carry but a SEG must repeat. Reads the header only (stops
 * before Pixel Data) and never writes to the file.
 */
export async function readSegSourceHeader(path: string): Promise<SegSourceHeader> {
  const bytes = new Uint8Array(await readFile(path));
  const dict = dcmjsData.DicomMessage.readFile(toArrayBuffer(bytes), { untilTag: '7FE00010', ignoreErrors: true });
  const ds: NaturalDataset = dcmjsData.DicomMetaDictionary.naturalizeDataset(dict.dict);
  return {
    patientName: text(ds.PatientName),
    patientId: text(ds.PatientID),
    patientBirthDate: text(ds.PatientBirthDate),
    patientSex: text(ds.PatientSex),
    studyInstanceUid: text(ds.StudyInstanceUID),
    studyDate: text(ds.StudyDate),
    studyTime: text(ds.StudyTime),
    studyId: text(ds.StudyID),
    accessionNumber: text(ds.AccessionNumber),
    referringPhysicianName: text(ds.ReferringPhysicianName),
    studyDescription: text(ds.StudyDescription),
    frameOfReferenceUid: text(ds.FrameOfReferenceUID) || null,
    sopClassUid: text(ds.SOPClassUID),
    seriesInstanceUid: text(ds.SeriesInstanceUID),
  };
}
