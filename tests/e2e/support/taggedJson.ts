/**
 * Tagged JSON: JSON that carries typed arrays (mask volumes, probability maps) as
 * `{"$typed":"Uint8Array","base64":"..."}` so the e2e HTTP transport can move the same
 * payloads Electron's structured clone moves. Used in both directions.
 *
 * Both functions are deliberately self-contained (no imports, no outer references):
 * the test harness injects their source text into the page with addInitScript, so the
 * browser and Node run exactly the same code.
 */

/** Serialise a value; typed arrays (and DataView-free ArrayBuffers) become tagged objects. */
export function encodeTagged(value: unknown): string {
  const names = ['Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
  const toBase64 = (bytes: Uint8Array): string => {
    // btoa takes a binary string; build it in chunks so large masks do not overflow the stack.
    let binary = '';
    const chunk = 0x8000;
    for (let i = 0; i < bytes.length; i += chunk) {
      binary += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + chunk)));
    }
    return btoa(binary);
  };
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof ArrayBuffer) return { $typed: 'ArrayBuffer', base64: toBase64(new Uint8Array(item)) };
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) {
      const name = item.constructor.name;
      if (!names.includes(name)) throw new Error(`Cannot encode ${name}`);
      return { $typed: name, base64: toBase64(new Uint8Array(item.buffer, item.byteOffset, item.byteLength)) };
    }
    return item;
  });
}

/** Parse tagged JSON back into values with real typed arrays. */
export function decodeTagged(text: string): unknown {
  const constructors: Record<string, new (buffer: ArrayBuffer) => unknown> = {
    Uint8Array,
    Uint8ClampedArray,
    Int8Array,
    Uint16Array,
    Int16Array,
    Uint32Array,
    Int32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  };
  return JSON.parse(text, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const tagged = item as { $typed?: unknown; base64?: unknown };
    if (typeof tagged.$typed !== 'string' || typeof tagged.base64 !== 'string') return item;
    const binary = atob(tagged.base64);
    // A fresh, aligned buffer: typed-array views need byte offsets that are multiples of their element size.
    const buffer = new ArrayBuffer(binary.length);
    const bytes = new Uint8Array(buffer);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    if (tagged.$typed === 'ArrayBuffer') return buffer;
    const Ctor = constructors[tagged.$typed];
    if (!Ctor) throw new Error(`Cannot decode ${tagged.$typed}`);
    return new Ctor(buffer);
  });
}
