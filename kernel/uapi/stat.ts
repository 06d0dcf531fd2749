// File types and struct stat, as xv6's kernel/stat.h.

import type { Val } from "./abi.ts";

// File types, as in xv6's kernel/stat.h.
export const T_DIR = 1;
export const T_FILE = 2;
export const T_DEVICE = 3;

/** What fstat() tells of a file: xv6's struct stat, and dv6's modification time. */
export interface Stat {
  /** File system's disk device. */
  dev: number;
  /** Inode number. */
  ino: number;
  /** T_DIR, T_FILE or T_DEVICE. */
  type: number;
  /** Number of links to the file. */
  nlink: number;
  /** Size of the file in bytes. */
  size: number;
  /** The last modification, in clock ticks since boot (dv6's). */
  mtime: number;
}

/** A Stat as fstat() answers it on the wire, and as the journal records it. */
export type StatWire = [
  dev: number,
  ino: number,
  type: number,
  nlink: number,
  size: number,
  mtime: number,
];

export function statToWire(st: Stat): StatWire {
  return [st.dev, st.ino, st.type, st.nlink, st.size, st.mtime];
}

/** fstat()'s answer read back: a Stat (an answer of xv6's five fields has mtime 0). */
export function statFromWire(w: Val): Stat {
  const [dev, ino, type, nlink, size, mtime] = w as number[];
  return { dev, ino, type, nlink, size, mtime: mtime ?? 0 };
}
