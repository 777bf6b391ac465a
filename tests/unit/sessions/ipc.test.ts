import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext, PlatformPort } from '../../../src/main/app/context';
import { createSessionsHandlers } from '../../../src/main/app/handlers/sessions';
import { createStudiesHandlers } from '../../../src/main/app/handlers/studies';
import { dispatch, type DispatchResult, type EventSink, type InvokeHandlers } from '../../../src/main/ipc/dispatch';
import { createStudiesService } from '../../../src/main/services/ingest';
import { SessionService, studyPortOf, type AnalysisForSeries } from '../../../src/main/services/sessions';
import { copyStudy, fakeAnalysis, PIXELS, tempDir } from './support/harness';

const cleanups: string[] = [];
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The studies and sessions channels of one app, called through the validating dispatcher. */
async function app(userData: string) {
  const events: Array<{ event: string; payload: unknown }> = [];
  const folderAnswers: Array<string | null> = [];
  const platform: PlatformPort = {
    pickFolder: async () => folderAnswers.shift() ?? null,
    pickSavePath: async () => null,
    printToPdf: async () => new Uint8Array(),
  };
  const emit: EventSink = (event, payload) => void events.push({ event, payload });
  const ctx: AppContext = { version: '0.1.0-test', platform, paths: { userData, modelsDir: join(userData, 'models'), samplePath: null }, emit, instanceUrlBase: 'http://127.0.0.1:1', openSampleOnStart: false };
  const studies = createStudiesService({ recentsFile: null });
  const analyses = new Map<string, AnalysisForSeries>();
  const sessions = new SessionService({
    userData,
    appVersion: ctx.version,
    platform,
    studies: studyPortOf(studies),
    analysis: { resultFor: (seriesId) => analyses.get(seriesId) ?? null },
    onChanged: (change) => emit('sessions:changed', change),
  });
  const handlers = { ...createStudiesHandlers(ctx, { studies }), ...createSessionsHandlers(ctx, { sessions }) } as unknown as InvokeHandlers;
  const call = async (channel: string, payload: unknown): Promise<DispatchResult> => dispatch(handlers, channel, payload);
  const ok = async <T = Record<string, unknown>>(channel: string, payload: unknown): Promise<T> => {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  };
  return { call, ok, events, folderAnswers, studies, analyses };
}

describe('sessions IPC channels', () => {
  it('runs a review through the contract: create, edit, mask bytes, save, sign, reopen elsewhere', async () => {
    const root = await tempDir('sessions-ipc');
    cleanups.push(root);
    const studyFolder = await copyStudy(join(root, 'a', 'study'));
    const a = await app(join(root, 'a', 'userData'));
    const scan = await a.ok<{ studies: Array<{ studyInstanceUid: string; series: Array<{ seriesId: string }> }> }>('studies:open-path', { paths: [studyFolder] });
    const study = scan.studies[0]!;
    const seriesId = study.series[0]!.seriesId;
    a.analyses.set(seriesId, await fakeAnalysis(a.studies.getSeries(seriesId)!));

    const invalid = await a.call('sessions:create', { studyInstanceUid: study.studyInstanceUid, seriesId, readerName: '  ' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const session = await a.ok<{ sessionId: string; path: string; ai: { streams: string[] } }>('sessions:create', {
      studyInstanceUid: study.studyInstanceUid,
      seriesId,
      readerName: 'Dr Ada Moreno',
    });
    expect(session.ai.streams).toHaveLength(4);
    const { sessionId } = session;
    await a.ok('sessions:set-opinion', { sessionId, layerId: 'reader-1', manifestation: 'ggo', opinion: 'agree' });
    const labels = new Uint8Array(PIXELS);
    labels.fill(1, 0, 1000);
    expect(await a.ok('sessions:save-mask', { sessionId, layerId: 'reader-1', stream: 'consolidation', labels, startSlice: 2 })).toMatchObject({ dirty: true });
    const mask = await a.ok<{ labels: Uint8Array; slices: number }>('sessions:get-mask', { sessionId, layerId: 'reader-1', stream: 'consolidation' });
    expect(mask.labels).toBeInstanceOf(Uint8Array);
    expect(mask.labels.subarray(2 * PIXELS, 2 * PIXELS + 1000).every((v) => v === 1)).toBe(true);
    expect(await a.ok('sessions:autosave', { sessionId })).toMatchObject({ dirty: true });
    expect(await a.ok('sessions:save', { sessionId })).toMatchObject({ revision: 2, dirty: false });
    await a.ok('sessions:sign', { sessionId, layerId: 'reader-1', readerName: 'Dr Ada Moreno' });
    const refused = await a.call('sessions:set-findings', { sessionId, layerId: 'reader-1', findings: 'late change' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'layer-signed' } });
    expect(await a.call('sessions:get', { sessionId: 'nope' })).toMatchObject({ ok: false, error: { code: 'session-not-open' } });
    expect(await a.ok('sessions:export', { sessionId, kind: 'csv', anonymise: false })).toEqual({ status: 'cancelled' });
    const audit = await a.ok<{ chainValid: boolean; entries: unknown[] }>('sessions:get-audit', { sessionId });
    expect(audit.chainValid).toBe(true);
    expect(a.events.some((event) => event.event === 'sessions:changed')).toBe(true);
    expect(await a.ok('sessions:list-recent', {})).toMatchObject({ sessions: [{ sessionPath: session.path }] });

    // Workstation B: same study at another path, picked through the folder dialog.
    const studyB = await copyStudy(join(root, 'b', 'elsewhere'));
    await rm(studyFolder, { recursive: true });
    const b = await app(join(root, 'b', 'userData'));
    const first = await b.ok<{ status: string }>('sessions:open', { path: session.path });
    expect(first.status).toBe('needs-study-folder');
    b.folderAnswers.push(studyB);
    const located = await b.ok<{ status: string; session: { study: { seriesId: string; instanceIds: string[] }; readers: Array<{ editable: boolean }> } }>('sessions:locate-study', {
      sessionPath: session.path,
    });
    expect(located.status).toBe('opened');
    expect(located.session.study.instanceIds).toHaveLength(4);
    expect(located.session.readers[0]!.editable).toBe(false);
    // The located series is open in B's viewer: its ids serve instance bytes.
    expect(await b.studies.readInstanceBytes(located.session.study.instanceIds[0]!)).not.toBeNull();
    expect(await b.ok('sessions:add-reader', { sessionId, readerName: 'Dr Ben Okafor' })).toMatchObject({ layerId: 'reader-2' });
    expect(await b.ok('sessions:close', { sessionId })).toEqual({ closed: true, autosaved: true });
    expect(await b.ok('sessions:list-recoverable', {})).toMatchObject({ sessions: [{ sessionId, readers: ['Dr Ada Moreno', 'Dr Ben Okafor'] }] });
    const recovered = await b.ok<{ status: string; session: { readers: unknown[]; dirty: boolean } }>('sessions:recover', { sessionPath: session.path });
    expect(recovered).toMatchObject({ status: 'opened', session: { dirty: true } });
    expect(recovered.session.readers).toHaveLength(2);
  });
});
