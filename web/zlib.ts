// node:zlib as the browser build sees it: the three functions kernel/deflate.ts takes from it,
// over fflate's raw deflate and inflate and a table CRC-32. web/deno.json maps "node:zlib" here,
// so the kernel's one host import is the same code in the page as in the CLI.

import { deflateSync, inflateSync } from "fflate";

export function deflateRawSync(bytes: Uint8Array, o: { level?: number } = {}): Uint8Array {
  return deflateSync(bytes, { level: (o.level ?? 6) as 6 });
}

export function inflateRawSync(bytes: Uint8Array): Uint8Array {
  return inflateSync(bytes);
}

/** CRC-32 (IEEE 802.3, reflected, as zlib's crc32), one table lookup a byte. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, initial = 0): number {
  let c = ~initial;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
