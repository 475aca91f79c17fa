/**
 * The engine's WebAssembly API, typed locally: the project compiles against ES2022 + Node types without the DOM
 * library, and an engine may lack WebAssembly altogether (`wasm` is then undefined).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` 64 KiB pages (detaching the old buffer); returns the previous size in pages. */
  grow(pages: number): number;
}
export type WasmExports = Record<string, unknown>;
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: WasmExports };
  readonly Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

export const wasm: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** 64 KiB: the unit WebAssembly memory grows by. */
export const PAGE_BYTES = 65536;
