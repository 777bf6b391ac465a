import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Manifestation, StreamId } from '../../../common/analysis/report';
import {
  AUDIT_FILE_NAME,
  SESSION_FILE_NAME,
  SESSION_FOLDER_SUFFIX,
  SESSION_FORMAT,
  SESSION_SCHEMA_VERSION,
  type AuditView,
  type AutosaveFile,
  type ExportKind,
  type ExportResult,
  type MaskVolume,
  type OpenResult,
  type Opinion,
  type ReaderLayer,
  type RecentSession,
  type RecoverableSession,
  type SessionFile,
  type SessionView,
} from '../../../common/sessions';
import { AuditLog, readAudit } from './audit-log';
import { writeFileAtomic } from './atomic-write';
import { exportLayerSeg, exportProbabilitiesCsv, exportReviewPdf, type ExportContext } from './exports';
import {
  decodeLayerSeg,
  deflateMask,
  encodeLayerSeg,
  inflateMask,
  maskStatsOf,
  maxLabelOf,
  sha256Hex,
  voxelCount,
  type LayerMasks,
} from './layer-masks';
import type { SessionAnalysisPort, SessionStudyPort } from './ports';
import {
  commitSession,
  isRecoverable,
  pathExists,
  readAutosave,
  readMaskFile,
  readSessionFile,
  removeAutosave,
  removeStaleFiles,
  writeAutosave,
  type NewMaskFile,
} from './session-folder';
import { SessionError } from './session-error';
import { aiLayerOf } from './ai-layer';
import { dirtyOf, layerStats, type OpenSession } from './open-session';
import { needsFolderResult, sessionView } from './session-view';
import { SessionIndex } from './session-index';
import { isInside, matchStudy, studyRefOf, type StudyMatch } from './study-ref';

export interface SessionPlatform {
  pickFolder(title: string): Promise<string | null>;
  pickSavePath(title: string, defaultName: string): Promise<string | null>;
  printToPdf(html: string): Promise<Uint8Array>;
}

export interface SessionServiceOptions {
  /** Per-user folder: sessions/ (default location) and sessions-index.json live here. */
  userData: string;
  appName?: string;
  appVersion: string;
  platform: SessionPlatform;
  studies: SessionStudyPort;
  analysis: SessionAnalysisPort;
  onChanged?: (change: { sessionId: string; revision: number; dirty: boolean }) => void;
  now?: () => Date;
}

const DEFAULT_OPINIONS = { ggo: null, consolidation: null, effusion: null } as const;

/** The session folder, also when the user picked its session.json. */
function sessionDirOf(path: string): string {
  const absolute = resolve(path);
  return basename(absolute) === SESSION_FILE_NAME ? dirname(absolute) : absolute;
}

function safeName(text: string): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._ -]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 60);
  return cleaned || 'session';
}

/**
 * Review sessions: a study's AI output plus one layer per reader (opinions, edited
 * masks, findings, impression, signature), kept in a portable `<name>.pleura` folder.
 * See docs/session-format.md.
 */
export class SessionService {
  private readonly sessions = new Map<string, OpenSession>();
  /** Where each session's study was last found in this app run (survives closing the session). */
  private readonly foundFolders = new Map<string, string>();
  private readonly index: SessionIndex;
  private readonly defaultFolder: string;
  private readonly now: () => Date;

  constructor(private readonly options: SessionServiceOptions) {
    this.defaultFolder = join(options.userData, 'sessions');
    this.index = new SessionIndex(join(options.userData, 'sessions-index.json'), this.defaultFolder);
    this.now = options.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------- create / open

  async create(request: { studyInstanceUid: string; seriesId: string; readerName: string; location?: string | null; name?: string }): Promise<SessionView> {
    const series = this.options.studies.getSeries(request.seriesId);
    if (!series || series.studyInstanceUid !== request.studyInstanceUid) {
      throw new SessionError('study-not-open', 'Open the study in the viewer before starting a review session.');
    }
    const ref = await studyRefOf(series);
    const analysis = this.options.analysis.resultFor(series.seriesId);
    const at = this.now();
    const name = request.name ?? `${ref.studyDate || 'study'} ${ref.seriesDescription || ref.modality} review`;
    const dir = await this.newSessionFolder(request.location, safeName(name), ref.lastKnownFolder);

    const { ai, aiMasks, newFiles } = aiLayerOf(ref, analysis, series.instances.map((instance) => instance.id), this.options.appVersion);
    const reader = this.newReader(1, request.readerName, at);
    const file: SessionFile = {
      format: SESSION_FORMAT,
      schemaVersion: SESSION_SCHEMA_VERSION,
      sessionId: randomUUID(),
      name,
      revision: 1,
      createdAt: at.toISOString(),
      savedAt: at.toISOString(),
      app: { name: this.options.appName ?? 'Pleura', version: this.options.appVersion },
      study: ref,
      ai,
      readers: [reader],
    };
    await commitSession(dir, file, newFiles);
    const audit = await AuditLog.open(join(dir, AUDIT_FILE_NAME));
    await audit.append({ actor: request.readerName, action: 'session-created', layerId: null, detail: { revision: 1, aiLayer: ai !== null } }, at);
    await audit.append({ actor: request.readerName, action: 'reader-added', layerId: reader.layerId, detail: { readerName: reader.readerName } }, at);
    const match = matchStudy(ref, [series]).match;
    const session = this.remember(dir, file, audit, match);
    if (aiMasks) session.masks.set('ai', aiMasks);
    await this.index.remember(dir, at);
    return sessionView(session);
  }

  async open(request: { path?: string }): Promise<OpenResult> {
    const path = request.path ?? (await this.options.platform.pickFolder('Open review session'));
    if (!path) return { status: 'cancelled' };
    const session = await this.load(sessionDirOf(path));
    await this.run(session, () => session.audit.append({ actor: 'system', action: 'session-opened', layerId: null, detail: { revision: session.file.revision } }));
    return this.resolveStudy(session, null);
  }

  async locateStudy(request: { sessionPath: string; folder?: string }): Promise<OpenResult> {
    const session = await this.load(sessionDirOf(request.sessionPath));
    const folder = request.folder ?? (await this.options.platform.pickFolder(`Find the study folder for "${session.file.name}"`));
    if (!folder) return { status: 'cancelled' };
    if (!(await pathExists(folder))) return needsFolderResult(session, `The folder "${folder}" does not exist.`);
    const found = await this.options.studies.openFolder(folder);
    const { match, problem } = matchStudy(session.file.study, found);
    if (!match) return needsFolderResult(session, problem);
    await this.useMatch(session, match);
    return { status: 'opened', session: sessionView(session) };
  }

  async get(sessionId: string): Promise<SessionView> {
    return sessionView(this.session(sessionId));
  }

  async listRecent(): Promise<RecentSession[]> {
    const recent: RecentSession[] = [];
    for (const path of await this.index.paths()) {
      try {
        const file = await readSessionFile(path);
        recent.push({ sessionPath: path, sessionId: file.sessionId, name: file.name, savedAt: file.savedAt, seriesDescription: file.study.seriesDescription, readers: file.readers.map((r) => r.readerName) });
      } catch {
        // Moved, deleted or damaged: not listed (opening it directly says why).
      }
    }
    return recent;
  }

  async close(sessionId: string): Promise<{ closed: boolean; autosaved: boolean }> {
    const session = this.sessions.get(sessionId);
    if (!session) return { closed: false, autosaved: false };
    const autosaved = session.dirty ? (await this.autosave(sessionId, [])).autosavedAt !== null : false;
    this.sessions.delete(sessionId);
    return { closed: true, autosaved };
  }

  // ---------------------------------------------------------------- reader edits

  async addReader(sessionId: string, readerName: string): Promise<{ layerId: string; session: SessionView }> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const number = Math.max(0, ...session.readers.map((reader) => Number(reader.layerId.slice('reader-'.length)))) + 1;
      const reader = this.newReader(number, readerName, this.now());
      session.readers.push(reader);
      this.markDirty(session);
      await session.audit.append({ actor: readerName, action: 'reader-added', layerId: reader.layerId, detail: { readerName } });
      return { layerId: reader.layerId, session: sessionView(session) };
    });
  }

  /**
   * Attaches the latest analysis of the session's series when the session was started
   * before the AI ran. An AI layer, once present, never changes: readers' opinions refer to it.
   */
  async attachAnalysis(sessionId: string): Promise<SessionView> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      if (session.file.ai) throw new SessionError('ai-already-attached', 'This session already holds an AI result; start a new session to review a new analysis.');
      if (!session.located) throw new SessionError('study-not-located', 'Locate the study first, then run the analysis.');
      const analysis = this.options.analysis.resultFor(session.located.seriesId);
      if (!analysis) throw new SessionError('no-analysis', 'Run the AI analysis on this series first.');
      const { ai, aiMasks, newFiles } = aiLayerOf(session.file.study, analysis, session.located.instanceIds, this.options.appVersion);
      session.file = { ...session.file, ai };
      if (aiMasks) session.masks.set('ai', aiMasks);
      await session.audit.append({ actor: 'system', action: 'analysis-attached', layerId: 'ai', detail: { createdAt: analysis.createdAt, streams: aiMasks?.size ?? 0 } });
      await this.commit(session, 'system', newFiles);
      return sessionView(session);
    });
  }

  async setOpinion(sessionId: string, layerId: string, manifestation: Manifestation, opinion: Opinion | null): Promise<SessionView> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const reader = this.editableReader(session, layerId);
      const previous = reader.opinions[manifestation];
      reader.opinions = { ...reader.opinions, [manifestation]: opinion };
      reader.updatedAt = this.now().toISOString();
      this.markDirty(session);
      await session.audit.append({ actor: reader.readerName, action: 'opinion-set', layerId, detail: { manifestation, from: previous, to: opinion } });
      return sessionView(session);
    });
  }

  async setFindings(sessionId: string, layerId: string, findings?: string, impression?: string): Promise<SessionView> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const reader = this.editableReader(session, layerId);
      const detail: Record<string, number> = {};
      if (findings !== undefined && findings !== reader.findings) {
        reader.findings = findings;
        detail.findingsLength = findings.length;
      }
      if (impression !== undefined && impression !== reader.impression) {
        reader.impression = impression;
        detail.impressionLength = impression.length;
      }
      if (Object.keys(detail).length > 0) {
        reader.updatedAt = this.now().toISOString();
        this.markDirty(session);
        await session.audit.append({ actor: reader.readerName, action: 'findings-set', layerId, detail });
      }
      return sessionView(session);
    });
  }

  async saveMask(sessionId: string, edit: { layerId: string; stream: StreamId; labels: Uint8Array; startSlice?: number }): Promise<{ layerId: string; stream: StreamId; pixelCount: number; dirty: boolean }> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const pixelCount = await this.applyMaskEdit(session, edit);
      return { layerId: edit.layerId, stream: edit.stream, pixelCount, dirty: session.dirty };
    });
  }

  async getMask(sessionId: string, layerId: string, stream: StreamId): Promise<MaskVolume> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const { study } = session.file;
      if (layerId !== 'ai' && !session.readers.some((reader) => reader.layerId === layerId)) {
        throw new SessionError('no-such-layer', `This session has no layer "${layerId}".`);
      }
      const masks = await this.layerMasks(session, layerId);
      const labels = masks.get(stream);
      return { layerId, stream, rows: study.rows, columns: study.columns, slices: study.instances.length, labels: labels ? new Uint8Array(labels) : null };
    });
  }

  async sign(sessionId: string, layerId: string, readerName: string): Promise<SessionView> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const reader = this.editableReader(session, layerId);
      if (reader.readerName.trim().toLocaleLowerCase() !== readerName.trim().toLocaleLowerCase()) {
        throw new SessionError('reader-mismatch', `This layer belongs to ${reader.readerName}; only they can sign it.`);
      }
      const at = this.now();
      reader.signedAt = at.toISOString();
      reader.updatedAt = at.toISOString();
      this.markDirty(session);
      await session.audit.append({ actor: reader.readerName, action: 'layer-signed', layerId, detail: { signedAt: reader.signedAt } }, at);
      await this.commit(session, reader.readerName);
      return sessionView(session);
    });
  }

  // ---------------------------------------------------------------- save / autosave / recovery

  async save(sessionId: string): Promise<SessionView> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      await this.commit(session, 'system');
      return sessionView(session);
    });
  }

  async autosave(sessionId: string, edits: ReadonlyArray<{ layerId: string; stream: StreamId; labels: Uint8Array; startSlice?: number }>): Promise<{ autosavedAt: string | null; dirty: boolean }> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      for (const edit of edits) await this.applyMaskEdit(session, edit);
      if (!session.dirty) return { autosavedAt: null, dirty: false };
      const autosavedAt = this.now().toISOString();
      const masks = [];
      for (const [layerId, streams] of session.dirtyStreams) {
        const layer = session.masks.get(layerId);
        for (const stream of streams) {
          const labels = layer?.get(stream);
          if (labels) masks.push(deflateMask(layerId, stream, labels));
        }
      }
      const autosave: AutosaveFile = {
        format: 'pleura-autosave',
        schemaVersion: SESSION_SCHEMA_VERSION,
        sessionId: session.file.sessionId,
        baseRevision: session.file.revision,
        autosavedAt,
        studyFolder: session.studyFolder,
        readers: session.readers,
        masks,
      };
      await writeAutosave(session.dir, autosave);
      return { autosavedAt, dirty: true };
    });
  }

  async listRecoverable(): Promise<RecoverableSession[]> {
    const found: RecoverableSession[] = [];
    for (const path of await this.index.paths()) {
      try {
        const file = await readSessionFile(path);
        const autosave = await readAutosave(path);
        if (!isRecoverable(file, autosave)) continue;
        found.push({
          sessionPath: path,
          sessionId: file.sessionId,
          name: file.name,
          savedAt: file.savedAt,
          autosavedAt: autosave.autosavedAt,
          seriesDescription: file.study.seriesDescription,
          readers: autosave.readers.map((reader) => reader.readerName),
        });
      } catch {
        // Unreadable sessions have nothing we could recover.
      }
    }
    return found;
  }

  async recover(sessionPath: string): Promise<OpenResult> {
    const dir = sessionDirOf(sessionPath);
    const session = await this.load(dir);
    await this.run(session, async () => {
      const autosave = await readAutosave(dir);
      if (!isRecoverable(session.file, autosave)) throw new SessionError('nothing-to-recover', 'This session has no unsaved work to recover.');
      // A layer signed in the committed file is final: its autosaved copy is ignored.
      const signed = new Set(session.file.readers.filter((reader) => reader.signedAt).map((reader) => reader.layerId));
      session.readers = autosave.readers.map((reader) => (signed.has(reader.layerId) ? session.file.readers.find((r) => r.layerId === reader.layerId)! : structuredClone(reader)));
      for (const saved of autosave.masks) {
        if (signed.has(saved.layerId)) continue;
        const labels = inflateMask(saved);
        if (labels.length !== voxelCount(session.file.study)) throw new SessionError('session-damaged', 'The autosaved masks do not fit this series.');
        const layer = await this.layerMasks(session, saved.layerId);
        layer.set(saved.stream, labels);
        dirtyOf(session, saved.layerId).add(saved.stream);
        session.statsCache.delete(saved.layerId);
      }
      session.dirty = true;
      if (autosave.studyFolder) session.studyFolder = autosave.studyFolder;
      await session.audit.append({ actor: 'system', action: 'autosave-recovered', layerId: null, detail: { autosavedAt: autosave.autosavedAt, masks: autosave.masks.length } });
    });
    return this.resolveStudy(session, null);
  }

  async discardAutosave(sessionPath: string): Promise<{ discarded: boolean }> {
    const dir = sessionDirOf(sessionPath);
    const autosave = await readAutosave(dir);
    if (!autosave) return { discarded: false };
    await removeAutosave(dir);
    const open = [...this.sessions.values()].find((session) => session.dir === dir);
    const audit = open?.audit ?? (await AuditLog.open(join(dir, AUDIT_FILE_NAME)));
    await audit.append({ actor: 'system', action: 'autosave-discarded', layerId: null, detail: { autosavedAt: autosave.autosavedAt } });
    return { discarded: true };
  }

  // ---------------------------------------------------------------- exports / audit

  async export(sessionId: string, request: { kind: ExportKind; layerId?: string; anonymise: boolean; path?: string }): Promise<ExportResult> {
    const session = this.session(sessionId);
    return this.run(session, async () => {
      const layerId = request.layerId ?? 'ai';
      const extension = request.kind === 'seg' ? 'seg.dcm' : request.kind;
      const stem = request.anonymise ? `pleura-review-anonymised` : safeName(session.file.name);
      const defaultName = `${stem}${request.kind === 'seg' ? `-${layerId}` : ''}.${extension}`;
      const path = request.path ?? (await this.options.platform.pickSavePath(`Export ${request.kind.toUpperCase()}`, defaultName));
      if (!path) return { status: 'cancelled' };
      const target = resolve(path);
      this.refuseStudyFolder(session, target, 'Exports are never written into the study folder. Choose another folder.');
      const context: ExportContext = {
        file: { ...session.file, readers: session.readers },
        anonymise: request.anonymise,
        appVersion: this.options.appVersion,
        generatedAt: this.now(),
        dirty: session.dirty,
        layerMasks: (id) => this.layerMasks(session, id),
        layerStats: (id) => layerStats(session, id),
        sourceFiles: session.located?.filePaths ?? null,
        printToPdf: (html) => this.options.platform.printToPdf(html),
      };
      let bytes: Uint8Array;
      if (request.kind === 'seg') {
        if (layerId !== 'ai' && !session.readers.some((reader) => reader.layerId === layerId)) {
          throw new SessionError('no-such-layer', `This session has no layer "${layerId}".`);
        }
        bytes = await exportLayerSeg(context, layerId);
      } else if (request.kind === 'csv') bytes = await exportProbabilitiesCsv(context);
      else bytes = await exportReviewPdf(context);
      await mkdir(dirname(target), { recursive: true });
      await writeFileAtomic(target, bytes);
      await session.audit.append({ actor: 'system', action: 'exported', layerId: request.kind === 'seg' ? layerId : null, detail: { kind: request.kind, anonymised: request.anonymise, file: basename(target), bytes: bytes.length } });
      return { status: 'written', path: target, bytes: bytes.length };
    });
  }

  async getAudit(sessionId: string): Promise<AuditView> {
    const session = this.session(sessionId);
    return readAudit(join(session.dir, AUDIT_FILE_NAME));
  }

  /** Ids of sessions open in this process (tests, diagnostics). */
  openSessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  // ---------------------------------------------------------------- internals

  private session(sessionId: string): OpenSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw new SessionError('session-not-open', 'This review session is not open (it may have been closed). Open it again.');
    return session;
  }

  private run<T>(session: OpenSession, task: () => Promise<T>): Promise<T> {
    const result = session.queue.then(task, task);
    session.queue = result.catch(() => undefined);
    return result;
  }

  private newReader(number: number, readerName: string, at: Date): ReaderLayer {
    return {
      layerId: `reader-${number}`,
      readerName: readerName.trim(),
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      opinions: { ...DEFAULT_OPINIONS },
      findings: '',
      impression: '',
      signedAt: null,
      masks: null,
    };
  }

  private editableReader(session: OpenSession, layerId: string): ReaderLayer {
    if (layerId === 'ai') throw new SessionError('layer-read-only', 'The AI layer cannot be edited; edit your own layer instead.');
    const reader = session.readers.find((item) => item.layerId === layerId);
    if (!reader) throw new SessionError('no-such-layer', `This session has no layer "${layerId}".`);
    if (reader.signedAt) throw new SessionError('layer-signed', `${reader.readerName} signed this layer on ${reader.signedAt}; it can no longer change.`);
    return reader;
  }

  private markDirty(session: OpenSession): void {
    session.dirty = true;
    this.options.onChanged?.({ sessionId: session.file.sessionId, revision: session.file.revision, dirty: true });
  }

  private async applyMaskEdit(session: OpenSession, edit: { layerId: string; stream: StreamId; labels: Uint8Array; startSlice?: number }): Promise<number> {
    const reader = this.editableReader(session, edit.layerId);
    const { study } = session.file;
    const pixelsPerSlice = study.rows * study.columns;
    const start = edit.startSlice ?? 0;
    if (edit.labels.length === 0 || edit.labels.length % pixelsPerSlice !== 0) {
      throw new SessionError('mask-size', `A mask must hold whole ${study.rows}x${study.columns} slices; got ${edit.labels.length} values.`);
    }
    const slices = edit.labels.length / pixelsPerSlice;
    if (start + slices > study.instances.length) {
      throw new SessionError('mask-size', `The mask covers slices ${start + 1}-${start + slices}; the series has ${study.instances.length}.`);
    }
    const max = maxLabelOf(edit.stream);
    for (let i = 0; i < edit.labels.length; i++) {
      if (edit.labels[i]! > max) throw new SessionError('mask-labels', `The ${edit.stream} mask may only hold labels 0-${max}; found ${edit.labels[i]}.`);
    }
    const layer = await this.layerMasks(session, edit.layerId);
    let volume = layer.get(edit.stream);
    if (!volume) {
      // A reader's first edit of a stream starts from the AI mask they were looking at.
      const ai = (await this.layerMasks(session, 'ai')).get(edit.stream);
      volume = ai ? new Uint8Array(ai) : new Uint8Array(voxelCount(study));
      layer.set(edit.stream, volume);
    }
    volume.set(edit.labels, start * pixelsPerSlice);
    dirtyOf(session, edit.layerId).add(edit.stream);
    session.statsCache.delete(edit.layerId);
    reader.updatedAt = this.now().toISOString();
    this.markDirty(session);
    let pixelCount = 0;
    for (let i = 0; i < volume.length; i++) if (volume[i] !== 0) pixelCount++;
    await session.audit.append({
      actor: reader.readerName,
      action: 'mask-edited',
      layerId: edit.layerId,
      detail: { stream: edit.stream, firstSlice: start + 1, slices, pixelCount },
    });
    return pixelCount;
  }

  /** A layer's masks, decoding its SEG on first use. Reader layers without masks get an empty map. */
  private async layerMasks(session: OpenSession, layerId: string): Promise<LayerMasks> {
    const cached = session.masks.get(layerId);
    if (cached) return cached;
    const ref = layerId === 'ai' ? session.file.ai?.masks : session.file.readers.find((reader) => reader.layerId === layerId)?.masks;
    let masks: LayerMasks = new Map();
    if (ref) {
      const bytes = await readMaskFile(session.dir, ref);
      masks = decodeLayerSeg(session.file.study, bytes, ref.segments, ref.streams);
    }
    session.masks.set(layerId, masks);
    return masks;
  }

  private async commit(session: OpenSession, actor: string, extraFiles: readonly NewMaskFile[] = []): Promise<void> {
    const onDisk = await readSessionFile(session.dir);
    if (onDisk.sessionId !== session.file.sessionId || onDisk.revision !== session.file.revision) {
      // Optimistic concurrency: someone (another workstation on a shared folder) saved in between.
      throw new SessionError(
        'session-changed-elsewhere',
        `This session was saved elsewhere (revision ${onDisk.revision}) after you opened it (revision ${session.file.revision}). Your changes were not saved; they stay open here: export them or note them, then reopen the session.`,
      );
    }
    const at = this.now();
    const revision = session.file.revision + 1;
    const newFiles: NewMaskFile[] = [...extraFiles];
    const readers: ReaderLayer[] = [];
    for (const reader of session.readers) {
      const dirty = session.dirtyStreams.get(reader.layerId);
      if (!dirty || dirty.size === 0) {
        readers.push(structuredClone(reader));
        continue;
      }
      const masks = await this.layerMasks(session, reader.layerId);
      const encoded = encodeLayerSeg(session.file.study, masks, {
        kind: 'reader',
        readerName: reader.readerName,
        appVersion: this.options.appVersion,
        seriesNumber: 9000 + Number(reader.layerId.slice('reader-'.length)),
        seriesDescription: `Pleura review: ${reader.readerName}`,
      });
      // A new name per revision: the file the current session.json names is never overwritten.
      const name = `${reader.layerId}.r${revision}.seg.dcm`;
      newFiles.push({ name, bytes: encoded.bytes });
      readers.push({
        ...structuredClone(reader),
        masks: { file: name, sha256: sha256Hex(encoded.bytes), streams: encoded.streams, segments: encoded.segments, stats: maskStatsOf(session.file.study, masks) },
      });
    }
    const file: SessionFile = {
      ...session.file,
      revision,
      savedAt: at.toISOString(),
      study: { ...session.file.study, lastKnownFolder: session.studyFolder },
      readers,
    };
    await commitSession(session.dir, file, newFiles);
    session.file = file;
    session.readers = structuredClone(readers);
    session.dirtyStreams.clear();
    session.statsCache.clear();
    session.dirty = false;
    await removeAutosave(session.dir);
    await session.audit.append({ actor, action: 'session-saved', layerId: null, detail: { revision, maskFiles: newFiles.length } }, at);
    await this.index.remember(session.dir, at);
    this.options.onChanged?.({ sessionId: file.sessionId, revision, dirty: false });
  }

  private async load(dir: string): Promise<OpenSession> {
    const existing = [...this.sessions.values()].find((session) => session.dir === dir);
    if (existing) return existing;
    const file = await readSessionFile(dir);
    const refs = [file.ai?.masks, ...file.readers.map((reader) => reader.masks)].filter((ref) => ref !== null && ref !== undefined);
    for (const ref of refs) await readMaskFile(dir, ref);
    const clash = this.sessions.get(file.sessionId);
    if (clash) {
      throw new SessionError('session-open-twice', `A copy of this session is already open from "${clash.dir}". Close it first.`);
    }
    let audit: AuditLog;
    try {
      await access(dir, constants.W_OK);
      await removeStaleFiles(dir, file);
      audit = await AuditLog.open(join(dir, AUDIT_FILE_NAME));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new SessionError('session-read-only', `The session folder "${dir}" cannot be written to. Copy it to a writable folder to review it.`);
      }
      throw error;
    }
    const session = this.remember(dir, file, audit, null);
    await this.index.remember(dir, this.now());
    return session;
  }

  private remember(dir: string, file: SessionFile, audit: AuditLog, match: StudyMatch | null): OpenSession {
    const session: OpenSession = {
      dir,
      file,
      readers: structuredClone(file.readers),
      masks: new Map(),
      dirtyStreams: new Map(),
      statsCache: new Map(),
      dirty: false,
      located: match,
      studyFolder: match?.folder ?? file.study.lastKnownFolder,
      audit,
      queue: Promise.resolve(),
    };
    this.sessions.set(file.sessionId, session);
    return session;
  }

  /** Finds the session's study: already open, or at its last known folder; otherwise ask. */
  private async resolveStudy(session: OpenSession, problem: string | null): Promise<OpenResult> {
    if (session.located) return { status: 'opened', session: sessionView(session) };
    let { match } = matchStudy(session.file.study, this.options.studies.openSeries?.() ?? []);
    const folders = new Set([this.foundFolders.get(session.file.sessionId), session.studyFolder, session.file.study.lastKnownFolder]);
    for (const folder of folders) {
      if (match || !folder || !(await pathExists(folder))) continue;
      const found = await this.options.studies.openFolder(folder);
      match = matchStudy(session.file.study, found).match;
    }
    if (!match) return needsFolderResult(session, problem);
    await this.useMatch(session, match);
    return { status: 'opened', session: sessionView(session) };
  }

  private async useMatch(session: OpenSession, match: StudyMatch): Promise<void> {
    session.located = match;
    this.foundFolders.set(session.file.sessionId, match.folder);
    const moved = match.folder !== session.file.study.lastKnownFolder;
    session.studyFolder = match.folder;
    // A moved study is recorded in session.json on the next save; that alone is no unsaved work.
    await this.run(session, () =>
      session.audit.append({ actor: 'system', action: 'study-located', layerId: null, detail: { folder: match.folder, moved } }),
    );
  }

  private refuseStudyFolder(session: OpenSession, target: string, message: string): void {
    const folders = [session.file.study.lastKnownFolder, session.studyFolder];
    if (folders.some((folder) => isInside(target, folder))) throw new SessionError('inside-study-folder', message);
  }

  private async newSessionFolder(location: string | null | undefined, stem: string, studyFolder: string): Promise<string> {
    let dir: string;
    if (location === null) {
      const picked = await this.options.platform.pickSavePath('Save review session', `${stem}${SESSION_FOLDER_SUFFIX}`);
      if (!picked) throw new SessionError('cancelled', 'No location was chosen for the session.');
      dir = resolve(picked.endsWith(SESSION_FOLDER_SUFFIX) ? picked : `${picked}${SESSION_FOLDER_SUFFIX}`);
    } else {
      const parent = resolve(location ?? this.defaultFolder);
      dir = join(parent, `${stem}${SESSION_FOLDER_SUFFIX}`);
      for (let n = 2; await pathExists(dir); n++) dir = join(parent, `${stem}-${n}${SESSION_FOLDER_SUFFIX}`);
    }
    if (isInside(dir, studyFolder) || isInside(studyFolder, dir)) {
      throw new SessionError('inside-study-folder', 'Review sessions are never saved inside the study folder (source images stay untouched). Choose another location.');
    }
    if ((await pathExists(dir)) && (await readdir(dir)).length > 0) {
      throw new SessionError('folder-not-empty', `"${dir}" already exists and is not empty. Choose another name.`);
    }
    if ((await pathExists(dir)) && !(await stat(dir)).isDirectory()) throw new SessionError('not-a-folder', `"${dir}" is a file.`);
    await mkdir(dir, { recursive: true });
    return dir;
  }


}
