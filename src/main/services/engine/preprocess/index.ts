/** The preprocessing of docs/model-contract.md, parameterised by manifest.json only. */
import type { Preprocessing } from '../manifest';
import { claheU8 } from './clahe';
import { resizeU8 } from './resize';

export { dicomToDisplayU8, isCtModality, windowToU8, type Window } from './display';
export { claheU8 } from './clahe';
export { normalizeInto } from './normalize';
export { axisWeights, resizeFloat, resizeU8, type AxisWeights } from './resize';

/** Steps 2.1-2.2: resize G to size x size, then CLAHE; uint8. */
export function prepareU8(display: Uint8Array, rows: number, columns: number, size: number, preprocessing: Preprocessing): Uint8Array {
  return claheU8(resizeU8(display, rows, columns, size), size, size, preprocessing.clahe.tiles, preprocessing.clahe.clipLimit);
}
