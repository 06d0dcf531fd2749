// Raw deflate and CRC-32 for the journal's frames and the packed histories: pure computation,
// taken from node:zlib. The one kernel module that imports a host module (a browser build
// maps it to a JavaScript implementation of the same three functions).

import { crc32 as zlibCrc32, deflateRawSync, inflateRawSync } from "node:zlib";

/** The bytes, raw-deflated, as an array of their own (node's result can be a view into a
 * larger buffer it allocated, which would keep that alive). */
export function deflateRaw(bytes: Uint8Array, level = 6): Uint8Array {
  return new Uint8Array(deflateRawSync(bytes, { level }));
}

/** Raw-inflated bytes, as a plain Uint8Array (node's Buffer has a slice() that is a view). */
export function inflateRaw(bytes: Uint8Array): Uint8Array {
  const b = inflateRawSync(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes);
}
