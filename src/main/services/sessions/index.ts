/**
 * Review sessions (issue 5): AI output plus one layer per reader (opinions, edited
 * masks, findings, impression, signature) in a portable `<name>.pleura` folder with
 * a hash-chained audit log, crash-safe saves, autosave and recovery, and exports
 * (DICOM SEG, PDF report, CSV). Plain Node: the app wires the ports and the platform.
 */
export { SessionService, type SessionPlatform, type SessionServiceOptions } from './service';
export { SessionError } from './session-error';
export type { AnalysisForSeries, SessionAnalysisPort, SessionStudyPort, StreamLabelVolume } from './ports';
export { readAudit } from './audit-log';
export { writeFileAtomic } from './atomic-write';
export { analysisPortOf, studyPortOf } from './app-ports';
