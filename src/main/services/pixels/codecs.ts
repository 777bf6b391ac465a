/**
 * The compressed-pixel codecs: Cornerstone's WASM builds of CharLS (JPEG-LS), OpenJPEG
 * (JPEG 2000) and libjpeg-turbo (8-bit JPEG baseline; the library PIL uses), and
 * Cornerstone's JavaScript JPEG Lossless decoder. They are the same codecs the viewer
 * uses, so the analyzer sees exactly the pixels the clinician sees. Each WASM module is
 * instantiated once, lazily, and its decoder object reused (they are not re-entrant, and
 * a worker decodes one frame at a time).
 */

/** What a WASM decoder reports about the decoded frame. */
interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  getDecodedBuffer(): Uint8Array;
}

interface CharlsModule {
  JpegLSDecoder: new () => WasmDecoder;
  getExceptionMessage(code: number): string;
}
interface OpenJpegModule {
  J2KDecoder: new () => WasmDecoder;
}
interface LibJpegTurboModule {
  JPEGDecoder: new () => WasmDecoder;
}
interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
}

type Factory<M> = (options?: object) => Promise<M>;

/** The emscripten wrappers are CommonJS modules whose default export is the factory. */
async function loadFactory<M>(specifier: string): Promise<Factory<M>> {
  const loaded = (await import(specifier)) as { default: Factory<M> | { default: Factory<M> } };
  const factory = loaded.default;
  return typeof factory === 'function' ? factory : factory.default;
}

let charlsDecoder: Promise<{ module: CharlsModule; decoder: WasmDecoder }> | null = null;
let openJpegDecoder: Promise<WasmDecoder> | null = null;
let libJpegTurboDecoder: Promise<WasmDecoder> | null = null;
let losslessDecoderClass: Promise<new () => LosslessDecoder> | null = null;

function charls() {
  charlsDecoder ??= loadFactory<CharlsModule>('@cornerstonejs/codec-charls/decodewasmjs')
    .then((factory) => factory())
    .then((module) => ({ module, decoder: new module.JpegLSDecoder() }));
  return charlsDecoder;
}

function openJpeg() {
  openJpegDecoder ??= loadFactory<OpenJpegModule>('@cornerstonejs/codec-openjpeg/decodewasmjs')
    // OpenJPEG logs every header it reads to stdout; keep the CLI's output clean.
    .then((factory) => factory({ print: () => undefined, printErr: () => undefined }))
    .then((module) => new module.J2KDecoder());
  return openJpegDecoder;
}

function libJpegTurbo() {
  libJpegTurboDecoder ??= loadFactory<LibJpegTurboModule>('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')
    .then((factory) => factory())
    .then((module) => new module.JPEGDecoder());
  return libJpegTurboDecoder;
}

function losslessDecoder() {
  losslessDecoderClass ??= import('@cornerstonejs/jpeg-lossless-decoder-js').then(
    (module) => (module as unknown as { Decoder: new () => LosslessDecoder }).Decoder,
  );
  return losslessDecoderClass;
}

/** A decoded frame straight from a codec: samples interleaved, one typed array. */
export interface CodecOutput {
  width: number;
  height: number;
  componentCount: number;
  bitsPerSample: number;
  /** A copy (never a view of WASM memory, which the next decode overwrites). */
  bytes: Uint8Array;
}

function runWasmDecoder(decoder: WasmDecoder, encoded: Uint8Array): CodecOutput {
  decoder.getEncodedBuffer(encoded.length).set(encoded);
  decoder.decode();
  const info = decoder.getFrameInfo();
  return {
    width: info.width,
    height: info.height,
    componentCount: info.componentCount,
    bitsPerSample: info.bitsPerSample,
    bytes: decoder.getDecodedBuffer().slice(),
  };
}

export async function decodeJpegLs(encoded: Uint8Array): Promise<CodecOutput> {
  const { module, decoder } = await charls();
  try {
    return runWasmDecoder(decoder, encoded);
  } catch (error) {
    // CharLS throws numeric C++ exception pointers; turn them into a readable message.
    throw new Error(`JPEG-LS decoding failed: ${typeof error === 'number' ? module.getExceptionMessage(error) : String(error)}`);
  }
}

export async function decodeJpeg2000(encoded: Uint8Array): Promise<CodecOutput> {
  const decoder = await openJpeg();
  try {
    return runWasmDecoder(decoder, encoded);
  } catch (error) {
    throw new Error(`JPEG 2000 decoding failed: ${String(error)}`);
  }
}

export async function decodeJpegBaseline8Bit(encoded: Uint8Array): Promise<CodecOutput> {
  const decoder = await libJpegTurbo();
  try {
    return runWasmDecoder(decoder, encoded);
  } catch (error) {
    throw new Error(`JPEG decoding failed: ${String(error)}`);
  }
}

/** JPEG Lossless (processes 14 and 14 SV1); returns little-endian sample bytes. */
export async function decodeJpegLossless(encoded: Uint8Array, bytesPerSample: 1 | 2): Promise<Uint8Array> {
  const Decoder = await losslessDecoder();
  // The decoder reads from an ArrayBuffer; give it its own copy of exactly this frame.
  const own = encoded.slice();
  const decoded = new Decoder().decode(own.buffer, 0, own.length, bytesPerSample);
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}
