import type { DataSet } from 'dicom-parser';

/**
 * Decodes text attributes (names, descriptions) using the file's Specific Character
 * Set. dicom-parser's `string()` reads bytes as Latin-1, which garbles UTF-8 and
 * Asian names; TextDecoder covers the common single-code-set encodings.
 * ISO 2022 code extensions (escape sequences inside values) are decoded run by run.
 */
const CHARSET_LABELS: Record<string, string> = {
  ISO_IR_192: 'utf-8',
  ISO_IR_100: 'iso-8859-1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_166: 'windows-874',
  ISO_IR_13: 'shift_jis',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** Escape sequences of ISO 2022 code extensions (DICOM PS3.5 6.1.2.5) and how to decode what follows. */
const ISO_2022_ESCAPES: Record<string, string> = {
  '(B': 'default',
  '(J': 'default',
  ')I': 'shift_jis',
  '$B': 'jis-x-0208',
  '$@': 'jis-x-0208',
  '$)C': 'euc-kr',
  '$)A': 'gbk',
  '-A': 'iso-8859-1',
  '-B': 'iso-8859-2',
  '-C': 'iso-8859-3',
  '-D': 'iso-8859-4',
  '-F': 'iso-8859-7',
  '-G': 'iso-8859-6',
  '-H': 'iso-8859-8',
  '-L': 'iso-8859-5',
  '-M': 'iso-8859-9',
  '-T': 'windows-874',
};

/** Decoders for the labels above; TextDecoder has no JIS X 0208 alone, so it goes through iso-2022-jp. */
function decodeSegment(bytes: Uint8Array, label: string): string {
  if (bytes.length === 0) return '';
  if (label === 'jis-x-0208') {
    const framed = new Uint8Array(bytes.length + 3);
    framed.set([0x1b, 0x24, 0x42], 0);
    framed.set(bytes, 3);
    return new TextDecoder('iso-2022-jp').decode(framed);
  }
  return new TextDecoder(label).decode(bytes);
}

/**
 * Values in ISO 2022 code extensions (Japanese, Korean, Chinese names) switch
 * character sets with escape sequences inside the value; decode each run with its own set.
 */
function decodeIso2022(bytes: Uint8Array, defaultLabel: string): string {
  let text = '';
  let label = defaultLabel;
  let runStart = 0;
  let index = 0;
  while (index < bytes.length) {
    if (bytes[index] !== 0x1b) {
      index += 1;
      continue;
    }
    text += decodeSegment(bytes.subarray(runStart, index), label);
    // ESC, intermediate bytes (0x20-0x2F), one final byte (0x30-0x7E).
    let end = index + 1;
    while (end < bytes.length && (bytes[end] ?? 0) >= 0x20 && (bytes[end] ?? 0) <= 0x2f) end += 1;
    const sequence = String.fromCharCode(...bytes.subarray(index + 1, end + 1));
    const next = ISO_2022_ESCAPES[sequence];
    if (next) label = next === 'default' ? defaultLabel : next;
    index = end + 1;
    runStart = index;
  }
  return text + decodeSegment(bytes.subarray(runStart), label);
}

export type TextReader = (tag: string) => string;

export function textReaderFor(dataSet: DataSet): TextReader {
  const charset = (dataSet.string('x00080005') ?? '').split('\\').map((part) => part.trim().replace(/[ -]/g, '_'));
  const iso2022 = charset.some((name) => name.startsWith('ISO_2022'));
  const first = charset[0] ?? '';
  const iso2022Default = first === 'ISO_2022_IR_13' ? 'shift_jis' : (CHARSET_LABELS[first.replace('ISO_2022_', 'ISO_')] ?? 'iso-8859-1');
  const label = charset.map((name) => CHARSET_LABELS[name]).find((value) => value !== undefined);
  let decoder: TextDecoder | null = null;
  if (!iso2022 && label && label !== 'iso-8859-1') {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null;
    }
  }
  return (tag) => {
    const element = dataSet.elements[tag];
    if (!element || element.length === 0) return '';
    if (!decoder && !iso2022) return (dataSet.string(tag) ?? '').trim();
    const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
    try {
      const text = iso2022 ? decodeIso2022(bytes, iso2022Default) : (decoder as TextDecoder).decode(bytes);
      return text.replace(/[\0 ]+$/u, '').trim();
    } catch {
      // An encoding this runtime lacks: Latin-1 keeps the ASCII parts readable.
      return (dataSet.string(tag) ?? '').trim();
    }
  };
}
