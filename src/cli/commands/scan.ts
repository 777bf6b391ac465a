/**
 * `npm run pleura -- scan <folder|file...> [--json]`: scans like the app does and
 * prints the study/series tree and every skipped file with its reason. The JSON
 * shape is documented in docs/ingest.md. Exit 0 when at least one series was found,
 * 1 when none was, 2 on a usage error.
 */
import { resolve } from 'node:path';
import { scanPaths, type IngestedSeries, type IngestedStudy, type ScanOutcome } from '../../main/services/ingest';
import { seriesGrid } from '../../common/dicom/study-tree';

const USAGE = 'Usage: npm run pleura -- scan <folder|file...> [--json]';

function seriesJson(series: IngestedSeries) {
  return {
    seriesId: series.seriesId,
    seriesInstanceUid: series.seriesInstanceUid,
    modality: series.modality,
    description: series.seriesDescription,
    seriesNumber: series.seriesNumber,
    kind: series.kind,
    orderedBy: series.orderedBy,
    numberOfInstances: series.numberOfInstances,
    ...seriesGrid(series),
    warnings: series.warnings,
    instances: series.instances.map((instance) => ({
      sopInstanceUid: instance.sopInstanceUid,
      frame: instance.frame,
      instanceNumber: instance.instanceNumber,
      imagePositionPatient: instance.imagePositionPatient,
      transferSyntaxUid: instance.transferSyntaxUid,
      path: instance.filePath,
    })),
  };
}

function studyJson(study: IngestedStudy) {
  const { series, ...fields } = study;
  return { ...fields, series: series.map(seriesJson) };
}

export function scanJson(outcome: ScanOutcome) {
  return { studies: outcome.studies.map(studyJson), skipped: outcome.skipped, stats: outcome.stats };
}

function formatSpacing(series: IngestedSeries): string {
  const pixel = series.pixelSpacing ? `${series.pixelSpacing[0]}×${series.pixelSpacing[1]} mm pixels` : 'no pixel spacing';
  const between = series.spacingBetweenSlices !== null ? `, ${Number(series.spacingBetweenSlices.toFixed(3))} mm between slices` : '';
  return pixel + between;
}

function printTree(outcome: ScanOutcome): void {
  for (const study of outcome.studies) {
    const patient = study.patientName.replace(/\^+/gu, ' ').trim() || '(no name)';
    console.log(`Study ${study.studyInstanceUid}`);
    console.log(`  Patient: ${patient}  ID: ${study.patientId || '-'}  Date: ${study.studyDate || '-'}  ${study.studyDescription}`.trimEnd());
    for (const series of study.series) {
      const description = series.seriesDescription ? ` "${series.seriesDescription}"` : '';
      console.log(
        `  Series ${series.seriesId} [${series.modality || '?'}]${description}: ${series.numberOfInstances} image(s), ${series.columns}×${series.rows}, ${formatSpacing(series)}, ${series.kind}`,
      );
      for (const warning of series.warnings) console.log(`    ! ${warning}`);
    }
  }
  if (outcome.skipped.length > 0) {
    console.log(`Skipped ${outcome.skipped.length} file(s):`);
    for (const entry of outcome.skipped) console.log(`  ${entry.path}: ${entry.reason}`);
  }
  const seriesCount = outcome.studies.reduce((sum, study) => sum + study.series.length, 0);
  console.log(
    `${outcome.studies.length} study(ies), ${seriesCount} series, ${outcome.stats.filesOpened} of ${outcome.stats.filesFound} file(s) opened in ${outcome.stats.durationMs} ms.`,
  );
}

export async function runScan(args: string[]): Promise<number> {
  // `scan ... | head` closes the pipe early; that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const json = args.includes('--json');
  const unknownOption = args.find((arg) => arg.startsWith('--') && arg !== '--json');
  const paths = args.filter((arg) => !arg.startsWith('--'));
  if (unknownOption || paths.length === 0) {
    console.error(unknownOption ? `Unknown option "${unknownOption}".\n${USAGE}` : USAGE);
    return 2;
  }
  const outcome = await scanPaths(paths.map((path) => resolve(path)));
  const seriesCount = outcome.studies.reduce((sum, study) => sum + study.series.length, 0);
  if (json) console.log(JSON.stringify(scanJson(outcome), null, 2));
  else printTree(outcome);
  if (seriesCount === 0) {
    console.error(
      outcome.stats.filesFound === 0
        ? `No files found in ${paths.join(', ')}.`
        : `No DICOM image series found: all ${outcome.stats.filesFound} file(s) were skipped (reasons listed${json ? ' under "skipped"' : ' above'}).`,
    );
    return 1;
  }
  return 0;
}
