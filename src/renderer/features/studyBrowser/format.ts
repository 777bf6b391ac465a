/** DICOM DA (YYYYMMDD) as an ISO-like date for display; other text unchanged. */
export function formatDicomDate(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  return match ? `${match[1]}-${match[2]}-${match[3]}` : value;
}

/** DICOM PN (Family^Given^Middle) as "Family, Given Middle". */
export function formatPersonName(value: string): string {
  const [family = '', given = '', middle = ''] = value.split('=')[0]?.split('^') ?? [];
  const rest = [given, middle].filter(Boolean).join(' ');
  if (!family && !rest) return 'Unnamed patient';
  return rest ? `${family}, ${rest}` : family;
}
