import * as fs from 'node:fs';

/** glibc maps each thread arena as a heap of at most 64 MB at an address aligned to its size. */
const ARENA_ALIGNMENT = 64 * 1024 * 1024;
/** Only PGlite's WebAssembly memory is an anonymous writable mapping this large in the embedded server. */
const WASM_MEMORY_MIN_BYTES = 64 * 1024 * 1024;

interface Mapping {
  readonly start: number;
  readonly bytes: number;
  readonly writable: boolean;
  readonly name: string;
  rssKB: number;
}

/**
 * Where a live process's resident memory sits, read from `/proc/<pid>/smaps`: the binary and
 * libraries (file-backed, shared with other node processes), the main thread's malloc heap
 * (`[heap]`), WebAssembly memory (the largest anonymous writable mapping, when it is large), the
 * malloc arenas of other threads (anonymous writable mappings at 64 MB-aligned addresses), and
 * the rest (V8's heap, its code, stacks). Mapping kinds are told apart by these marks only, so
 * the figures say where memory sits, not who asked for it.
 */
export function memoryBreakdown(pid: number): string {
  const mappings = readMappings(pid);
  const wasm = wasmMemoryOf(mappings);
  const megabytes: Record<MappingKind, number> = { files: 0, mainHeap: 0, wasm: 0, arena: 0, rest: 0 };
  let arenas = 0;
  for (const mapping of mappings) {
    const kind = mapping === wasm ? 'wasm' : kindOf(mapping);
    megabytes[kind] += mapping.rssKB / 1024;
    if (kind === 'arena') arenas++;
  }
  const mb = (kind: MappingKind) => `${Math.round(megabytes[kind])} MB`;
  return [
    `files ${mb('files')}`,
    `main malloc heap ${mb('mainHeap')}`,
    `WASM memory ${mb('wasm')}`,
    `thread arenas ${mb('arena')} (${arenas})`,
    `V8 heap and the rest ${mb('rest')}`,
  ].join(', ');
}

type MappingKind = 'files' | 'mainHeap' | 'wasm' | 'arena' | 'rest';

const isAnonymousWritable = (m: Mapping) => m.writable && (m.name === '' || m.name.startsWith('[anon'));

/** The largest anonymous writable mapping, when it is large enough to be WebAssembly memory. */
function wasmMemoryOf(mappings: readonly Mapping[]): Mapping | undefined {
  const largest = mappings
    .filter(isAnonymousWritable)
    .reduce<Mapping | undefined>((big, m) => (big && big.bytes >= m.bytes ? big : m), undefined);
  return largest && largest.bytes >= WASM_MEMORY_MIN_BYTES ? largest : undefined;
}

function kindOf(mapping: Mapping): MappingKind {
  if (mapping.name.startsWith('/')) return 'files';
  if (mapping.name === '[heap]') return 'mainHeap';
  if (isAnonymousWritable(mapping) && mapping.start % ARENA_ALIGNMENT === 0) return 'arena';
  return 'rest';
}

function readMappings(pid: number): Mapping[] {
  let text = '';
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return [];
  }
  const mappings: Mapping[] = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const start = parseInt(header[1]!, 16);
      const end = parseInt(header[2]!, 16);
      mappings.push({ start, bytes: end - start, writable: header[3]![1] === 'w', name: header[4] ?? '', rssKB: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const current = mappings[mappings.length - 1];
    if (rss && current) current.rssKB = Number(rss[1]);
  }
  return mappings;
}
