/**
 * Exports of the open session through sessions:export: DICOM SEG of one layer, the PDF
 * report and the per-slice CSV. The service asks for the file with a save dialog.
 */
import type { LayerId } from '../../../common/sessions/session-file';
import type { ExportKind } from '../../../common/sessions/views';
import { api } from '../../lib/api';
import { flushFindings } from './session';
import { messageOf } from './labels';
import { review } from './state.svelte';

export async function exportSession(kind: ExportKind, layerId: LayerId | null, anonymise: boolean): Promise<void> {
  const session = review.session;
  if (!session) return;
  review.busy = `Exporting ${kind.toUpperCase()}`;
  review.error = null;
  try {
    await flushFindings();
    const result = await api.invoke('sessions:export', {
      sessionId: session.sessionId,
      kind,
      anonymise,
      ...(kind === 'seg' && layerId !== null ? { layerId } : {}),
    });
    if (result.status === 'written') {
      review.exports = [...review.exports, { kind, layerId: kind === 'seg' ? (layerId ?? 'ai') : null, anonymise, path: result.path, bytes: result.bytes }];
    }
  } catch (error) {
    review.error = messageOf(error);
  } finally {
    review.busy = null;
  }
}
