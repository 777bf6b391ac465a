import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';
import type { StudyInstanceRef, StudyRef } from '../../../common/sessions';
import { readSegSourceHeader } from '../export/seg';
import type { IngestedSeries } from '../ingest';
import { seriesGrid } from '../../../common/dicom/study-tree';

/** The deepest folder holding every file of the series: the study folder as far as we can tell. */
export function commonFolderOf(paths: readonly string[]): string {
  if (paths.length === 0) throw new Error('No files.');
  let common = dirname(resolve(paths[0]!));
  for (const path of paths.slice(1)) {
    const folder = dirname(resolve(path));
    while (!isInside(folder, common)) {
      const parent = dirname(common);
      if (parent === common) return common;
      common = parent;
    }
  }
  return common;
}

/** True when `path` is `folder` or inside it. */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export function instanceKey(sopInstanceUid: string, frame: number | null): string {
  return `${sopInstanceUid}#${frame ?? 0}`;
}

/** Everything a session records about its series, read from the ingest tree and one file header. */
export async function studyRefOf(series: IngestedSeries): Promise<StudyRef> {
  const first = series.instances[0];
  if (!first) throw new Error('The series has no images.');
  const header = await readSegSourceHeader(first.filePath);
  const instances: StudyInstanceRef[] = series.instances.map((instance) => ({
    sopInstanceUid: instance.sopInstanceUid,
    sopClassUid: instance.sopClassUid,
    frame: instance.frame,
    imagePositionPatient: instance.imagePositionPatient,
  }));
  return {
    studyInstanceUid: series.studyInstanceUid,
    seriesInstanceUid: series.seriesInstanceUid,
    modality: series.modality,
    seriesDescription: series.seriesDescription,
    seriesNumber: series.seriesNumber,
    patient: { name: header.patientName, id: header.patientId, birthDate: header.patientBirthDate, sex: header.patientSex },
    studyDate: header.studyDate,
    studyTime: header.studyTime,
    studyId: header.studyId,
    studyDescription: header.studyDescription,
    accessionNumber: header.accessionNumber,
    referringPhysicianName: header.referringPhysicianName,
    frameOfReferenceUid: header.frameOfReferenceUid,
    ...seriesGrid(series),
    instances,
    lastKnownFolder: commonFolderOf(series.instances.map((instance) => instance.filePath)),
  };
}

export interface StudyMatch {
  /** The viewer's series id of the (first) matching series. */
  seriesId: string;
  /** Viewer instance ids and files in the session's slice order. */
  instanceIds: string[];
  filePaths: string[];
  folder: string;
}

/**
 * Finds the session's series among ingested series by UIDs: same study and series
 * UID, and every SOP instance (and frame) the session's masks refer to. Paths do not
 * matter, so the study may live anywhere on this workstation.
 */
export function matchStudy(ref: StudyRef, candidates: readonly IngestedSeries[]): { match: StudyMatch | null; problem: string | null } {
  // A series the ingest split into parts (seriesId#2...) is searched as a whole.
  const parts = candidates.filter((series) => series.studyInstanceUid === ref.studyInstanceUid && series.seriesInstanceUid === ref.seriesInstanceUid);
  if (parts.length > 0) {
    const byKey = new Map<string, { id: string; filePath: string; seriesId: string }>();
    for (const series of parts) {
      for (const instance of series.instances) {
        byKey.set(instanceKey(instance.sopInstanceUid, instance.frame), { id: instance.id, filePath: instance.filePath, seriesId: series.seriesId });
      }
    }
    const hits = ref.instances.map((instance) => byKey.get(instanceKey(instance.sopInstanceUid, instance.frame)));
    const located = hits.filter((hit) => hit !== undefined);
    if (located.length === ref.instances.length) {
      const filePaths = located.map((hit) => hit.filePath);
      return {
        match: { seriesId: located[0]!.seriesId, instanceIds: located.map((hit) => hit.id), filePaths, folder: commonFolderOf(filePaths) },
        problem: null,
      };
    }
    return { match: null, problem: `Only ${located.length} of the ${ref.instances.length} images of this series were found in that folder.` };
  }
  const sameStudy = candidates.some((series) => series.studyInstanceUid === ref.studyInstanceUid);
  return {
    match: null,
    problem: sameStudy
      ? 'That folder holds the study but not the series this session was made on.'
      : candidates.length === 0
        ? 'No DICOM images were found in that folder.'
        : 'That folder holds a different study.',
  };
}
