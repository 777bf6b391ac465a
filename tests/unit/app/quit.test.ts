import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel, Request, Response } from '../../../src/common/ipc/contract';
import type { AppContext } from '../../../src/main/app/context';
import { createAppHost, type AppHost } from '../../../src/main/app/handlers';
import { dispatch } from '../../../src/main/ipc/dispatch';
import { CT_DIR, TEST_MODELS } from '../engine/helpers';

// Quitting the app must never drop a reader's unsaved review work: the host's dispose
// (Electron's before-quit) closes open sessions, which autosaves them.
describe('quitting with a review session open', () => {
  const userData = mkdtempSync(join(tmpdir(), 'pleura-quit-'));
  afterAll(() => rm(userData, { recursive: true, force: true }));

  const startHost = (): AppHost => {
    const ctx: AppContext = {
      version: '0.0.0-test',
      platform: { pickFolder: async () => null, pickSavePath: async () => null, printToPdf: async () => new Uint8Array() },
      paths: { userData, modelsDir: TEST_MODELS, samplePath: null },
      emit: () => undefined,
      instanceUrlBase: 'http://localhost',
      openSampleOnStart: false,
    };
    return createAppHost(ctx);
  };
  const call = async <C extends Channel>(host: AppHost, channel: C, request: Request<C>): Promise<Response<C>> => {
    const result = await dispatch(host.handlers, channel, request);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    return result.value as Response<C>;
  };

  it('autosaves unsaved findings on dispose, and the next start offers to recover them', async () => {
    const first = startHost();
    const opened = await call(first, 'studies:open-path', { paths: [CT_DIR] });
    const study = opened.studies[0]!;
    const session = await call(first, 'sessions:create', {
      studyInstanceUid: study.studyInstanceUid,
      seriesId: study.series[0]!.seriesId,
      readerName: 'Dr Quit',
    });
    const layerId = session.readers[0]!.layerId;
    await call(first, 'sessions:set-findings', { sessionId: session.sessionId, layerId, findings: 'Typed just before quitting.' });
    await first.dispose();

    const second = startHost();
    try {
      const { sessions } = await call(second, 'sessions:list-recoverable', {});
      expect(sessions.map((s) => s.sessionId)).toEqual([session.sessionId]);
      const recovered = await call(second, 'sessions:recover', { sessionPath: sessions[0]!.sessionPath });
      expect(recovered.status).toBe('opened');
      expect(JSON.stringify(recovered)).toContain('Typed just before quitting.');
    } finally {
      await second.dispose();
    }
  });
});
