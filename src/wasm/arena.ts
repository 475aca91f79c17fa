/**
 * The arena: the one `WebAssembly.Memory` every wasm kernel imports, with a block allocator over it.
 *
 * Two kinds of blocks live in it:
 * - **pooled** blocks: the buffers of intermediates of a function linked with the `'wasm'` linker (see
 *   `ArenaPool` in `src/codegen/linker.ts`). A typed-array view of such a block is live from the step that
 *   takes it to the step after its last reader, always inside one call;
 * - **scratch** blocks: where a wasm kernel copies an operand that is not in the arena (a caller's array) or
 *   computes a result it then copies out; taken and released inside one kernel call.
 *
 * The first `MATH_TABLES_BYTES` (2 KiB) are reserved for the vector math's read-only tables (the exp table),
 * written when the memory is created; the allocator never hands them out.
 *
 * Growth: `memory.grow` detaches every view of the old buffer. The arena therefore grows only while no pooled
 * block is taken (`pooledLive === 0`): at the start of an outermost call, or for the first buffer of a call.
 * A request that would need growth while pooled views are live is refused (the caller then uses JavaScript
 * memory or the JS kernel for that step) and remembered; the next safe point (`prepare`, called when an
 * outermost call starts) grows the memory to the demand seen, so the following call with the same shapes runs
 * entirely in the arena. Scratch views are taken after the scratch block is allocated and dropped before the
 * kernel returns, so growth never strands them.
 *
 * Every pooled block is released by the end of the call that took it (see `ArenaPool.end`): between calls the
 * arena holds nothing, and its size is bounded by the largest single call's peak demand (at most
 * `MAX_ARENA_BYTES`), whatever the number of calls or of compiled functions.
 */
import { PAGE_BYTES, wasm, type WasmMemory } from './api.js';
import { MATH_TABLES_BYTES, writeMathTables } from './math-tables.js';

/** The arena's largest size: a call that needs more runs its JS kernels and JS buffers. */
export const MAX_ARENA_BYTES = 1 << 30;

/** Blocks are multiples of 16 bytes at 16-byte aligned offsets (one v128). */
const ALIGN = 16;

/** A block allocator over one wasm memory: first fit over an offset-ordered free list, coalescing on release. */
export class Arena {
  private mem: WasmMemory | undefined;
  /** Free blocks as [offset, bytes], ordered by offset, never adjacent (they coalesce). */
  private readonly freeList: [number, number][] = [];
  /** Sizes of the blocks handed out, by offset. */
  private readonly used = new Map<number, number>();
  private inUse = 0;
  /** Pooled blocks handed out and not yet released: growth waits until this is 0. */
  pooledLive = 0;
  /** The capacity a refused request would have needed (the next safe point grows to it). */
  private wanted = 0;
  private peakInUse = 0;

  get memory(): WasmMemory {
    if (!this.mem) {
      this.mem = new wasm!.Memory({ initial: 1 });
      // the first bytes hold the vector math's read-only tables (src/wasm/math-tables.ts), never allocated
      writeMathTables(this.mem.buffer);
      this.freeList.push([MATH_TABLES_BYTES, PAGE_BYTES - MATH_TABLES_BYTES]);
    }
    return this.mem;
  }

  /** The memory's current buffer (views taken from it stay valid until the next growth). */
  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** The memory's size in bytes (0 before the first wasm kernel). */
  get capacity(): number {
    return this.mem ? this.mem.buffer.byteLength : 0;
  }

  /**
   * A block of at least `bytes` bytes: its offset, or -1 when it does not fit and the arena may not grow now
   * (pooled views are live, or `mayGrow` is false) or would pass `MAX_ARENA_BYTES`.
   */
  alloc(bytes: number, kind: 'pooled' | 'scratch', mayGrow = true): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let offset = this.firstFit(size);
    if (offset < 0) {
      // the free block at the end grows with new pages: it must reach `size`
      const have = this.capacity;
      const last = this.freeList[this.freeList.length - 1];
      const tail = last && last[0] + last[1] === have ? last[1] : 0;
      const minCapacity = have + size - tail;
      if (!mayGrow || this.pooledLive > 0 || !this.grow(minCapacity)) {
        // remembered: the next safe point makes room for every request refused since the last one
        this.wanted = Math.max(this.wanted, have) + size;
        return -1;
      }
      offset = this.firstFit(size);
      if (offset < 0) throw new Error('internal: the arena grew without room for the block');
    }
    this.used.set(offset, size);
    this.inUse += size;
    this.peakInUse = Math.max(this.peakInUse, this.inUse);
    if (kind === 'pooled') this.pooledLive++;
    return offset;
  }

  /** Releases the block at `offset` (a pooled block also ends its liveness). */
  release(offset: number, kind: 'pooled' | 'scratch'): void {
    const size = this.used.get(offset);
    if (size === undefined) throw new Error('internal: releasing an arena block that is not in use');
    this.used.delete(offset);
    this.inUse -= size;
    if (kind === 'pooled') this.pooledLive--;
    this.insertFree(offset, size);
  }

  /** A safe point (no pooled view live): grows to the demand a refused request recorded. */
  prepare(): void {
    if (this.pooledLive > 0 || this.wanted === 0) return;
    if (this.wanted > this.capacity) this.grow(this.wanted);
    this.wanted = 0;
  }

  /** Sizes for tests and reports: capacity, bytes in use, blocks in use, the largest in-use total so far. */
  stats(): { capacity: number; inUse: number; blocks: number; freeBlocks: number; peakInUse: number } {
    const { capacity, inUse, peakInUse } = this;
    return { capacity, inUse, blocks: this.used.size, freeBlocks: this.freeList.length, peakInUse };
  }

  private firstFit(size: number): number {
    if (!this.mem) void this.memory; // the first page is the first free block
    const list = this.freeList;
    for (let i = 0; i < list.length; i++) {
      const block = list[i]!;
      if (block[1] < size) continue;
      const offset = block[0];
      if (block[1] === size) list.splice(i, 1);
      else {
        block[0] += size;
        block[1] -= size;
      }
      return offset;
    }
    return -1;
  }

  private insertFree(offset: number, size: number): void {
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i]![0] < offset) i++;
    const before = i > 0 ? list[i - 1]! : undefined;
    const after = i < list.length ? list[i]! : undefined;
    if (before && before[0] + before[1] === offset) {
      before[1] += size;
      if (after && before[0] + before[1] === after[0]) {
        before[1] += after[1];
        list.splice(i, 1);
      }
    } else if (after && offset + size === after[0]) {
      after[0] = offset;
      after[1] += size;
    } else list.splice(i, 0, [offset, size]);
  }

  /**
   * Grows the memory to at least `minCapacity` bytes (and by at least half its size, so a sequence of growing
   * calls grows it O(log) times); false past `MAX_ARENA_BYTES`. Detaches every view: callers hold none.
   */
  private grow(minCapacity: number): boolean {
    const memory = this.memory;
    const have = memory.buffer.byteLength;
    if (minCapacity <= have) return true;
    if (minCapacity > MAX_ARENA_BYTES) return false;
    const target = Math.min(Math.max(minCapacity, Math.ceil(have * 1.5)), MAX_ARENA_BYTES);
    const pages = Math.ceil((target - have) / PAGE_BYTES);
    memory.grow(pages);
    this.insertFree(have, pages * PAGE_BYTES);
    return true;
  }
}

/** The process-wide arena of the wasm kernels. */
export const arena = new Arena();

/** The arena's capacity, bytes and blocks in use (for tests: bounded, and empty between calls). */
export const wasmArenaStats = () => arena.stats();
