/** The state the crash-test child saves at each revision, so the parent can check any reopened state. */
const ROWS = 512;
const COLUMNS = 512;
const SLICES = 4;

export function expectedMaskFor(revision: number): Uint8Array {
  const mask = new Uint8Array(SLICES * ROWS * COLUMNS);
  const slice = revision % SLICES;
  const top = (revision * 37) % 400;
  const left = (revision * 53) % 400;
  const height = 5 + (revision % 40);
  const width = 7 + (revision % 30);
  for (let r = top; r < top + height; r++) for (let c = left; c < left + width; c++) mask[slice * ROWS * COLUMNS + r * COLUMNS + c] = 1;
  return mask;
}
