import type { PatientRef } from '../../../common/sessions';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Ways a DICOM date (YYYYMMDD) may be typed into free text. */
function dateForms(date: string): string[] {
  if (!/^\d{8}$/.test(date)) return date ? [date] : [];
  const [y, m, d] = [date.slice(0, 4), date.slice(4, 6), date.slice(6, 8)];
  return [date, `${y}-${m}-${d}`, `${d}.${m}.${y}`, `${d}/${m}/${y}`, `${m}/${d}/${y}`];
}

/**
 * Removes the patient's name parts, ID and birth date from free text a reader typed
 * (findings, impression) for anonymised exports. Best effort by design: it cannot
 * know every identifier, so the export dialog still asks readers to check their text.
 */
export function redactIdentifiers(text: string, patient: PatientRef): string {
  const tokens = [
    ...patient.name.split(/[\^\s,]+/).filter((part) => part.length >= 2),
    patient.name.replace(/\^+/g, ' ').trim(),
    patient.id,
    ...dateForms(patient.birthDate),
  ].filter((token) => token.length >= 2);
  // Longest first, so "DOE JANE" goes before "DOE".
  tokens.sort((a, b) => b.length - a.length);
  let result = text;
  // Whole words only: a short surname must not cut through other words ("Li" in "clinical").
  for (const token of tokens) result = result.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(token)}(?![\\p{L}\\p{N}])`, 'giu'), '[removed]');
  return result;
}
