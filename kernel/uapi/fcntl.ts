// open() flags, fcntl() commands, flock() operations and spawn()'s file actions: what
// xv6's kernel/fcntl.h has, and Linux's values for what dv6 adds.

import type { Val } from "./abi.ts";

// open() flags, as in xv6's kernel/fcntl.h (O_APPEND is dv6's).
export const O_RDONLY = 0x000;
export const O_WRONLY = 0x001;
export const O_RDWR = 0x002;
export const O_CREATE = 0x200;
export const O_TRUNC = 0x400;
export const O_APPEND = 0x800;
export const O_NONBLOCK = 0x1000;

// flock() operations.
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

// fcntl() file status flags (Linux's values).
export const F_GETFL = 3;
export const F_SETFL = 4;

// fcntl() record locks.
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;

// spawn() file actions (posix_spawn_file_actions_*), applied in the child in order.
export const SPAWN_OPEN = 1; // open path as fd
export const SPAWN_DUP2 = 2; // dup fd as newfd
export const SPAWN_CLOSE = 3; // close fd

/** A spawn() file action: what posix_spawn_file_actions_addopen, _adddup2 and _addclose add. */
export type SpawnAction =
  | { action: typeof SPAWN_OPEN; fd: number; path: string; flags: number }
  | { action: typeof SPAWN_DUP2; fd: number; newfd: number }
  | { action: typeof SPAWN_CLOSE; fd: number };

/** Open `path` with `flags` as `fd` (posix_spawn_file_actions_addopen). */
export function spawnOpen(fd: number, path: string, flags: number): SpawnAction {
  return { action: SPAWN_OPEN, fd, path, flags };
}

/** Make `newfd` a copy of `fd` (posix_spawn_file_actions_adddup2). */
export function spawnDup2(fd: number, newfd: number): SpawnAction {
  return { action: SPAWN_DUP2, fd, newfd };
}

/** Close `fd` (posix_spawn_file_actions_addclose). */
export function spawnClose(fd: number): SpawnAction {
  return { action: SPAWN_CLOSE, fd };
}

/** A SpawnAction on the wire, and in the journal. */
export type SpawnActionWire =
  | [action: typeof SPAWN_OPEN, fd: number, path: string, flags: number]
  | [action: typeof SPAWN_DUP2, fd: number, newfd: number]
  | [action: typeof SPAWN_CLOSE, fd: number];

export function spawnActionToWire(a: SpawnAction): SpawnActionWire {
  switch (a.action) {
    case SPAWN_OPEN:
      return [SPAWN_OPEN, a.fd, a.path, a.flags];
    case SPAWN_DUP2:
      return [SPAWN_DUP2, a.fd, a.newfd];
    case SPAWN_CLOSE:
      return [SPAWN_CLOSE, a.fd];
  }
}

/** A file action read from the wire, or null if it is not one. Its descriptors are integers;
 * whether they are in range is the kernel's to judge. */
export function spawnActionFromWire(v: Val): SpawnAction | null {
  if (!Array.isArray(v)) return null;
  const int = (x: Val): x is number => typeof x === "number" && Number.isInteger(x);
  const [action, fd, x, flags] = v;
  if (!int(fd)) return null;
  if (action === SPAWN_OPEN && v.length === 4 && typeof x === "string" && int(flags)) {
    return spawnOpen(fd, x, flags);
  }
  if (action === SPAWN_DUP2 && v.length === 3 && int(x)) return spawnDup2(fd, x);
  if (action === SPAWN_CLOSE && v.length === 2) return spawnClose(fd);
  return null;
}

// spawn() flags.
export const SPAWN_SETPGROUP = 1; // put the child in process group `pgroup` (0: a new one, its pid)
export const SPAWN_FOREGROUND = 2; // make the child's group the console's foreground (^C kills it)
