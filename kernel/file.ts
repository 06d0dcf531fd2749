// Support functions for system calls that involve file descriptors, as in xv6's
// kernel/file.c: the system-wide open-file table, shared by fork and dup.

import type { KGen } from "./event.ts";
import type { Inode } from "./fs.ts";
import type { Machine } from "./machine.ts";
import { NFILE } from "./param.ts";
import { type Pipe, pipeclose, pipepoll, piperead, pipewrite } from "./pipe.ts";
import { panic } from "./printf.ts";
import { POLLIN, POLLNVAL, POLLOUT } from "./uapi/poll.ts";
import { acquire, release, Spinlock } from "./spinlock.ts";

export const FD_NONE = 0, FD_PIPE = 1, FD_INODE = 2, FD_DEVICE = 3;

export class File {
  type = FD_NONE;
  ref = 0; // reference count
  readable = false;
  writable = false;
  append = false; // O_APPEND: every write goes to the end
  nonblock = false; // O_NONBLOCK: a read or write that would sleep ends with -EAGAIN
  pipe: Pipe | null = null; // FD_PIPE
  ip: Inode | null = null; // FD_INODE and FD_DEVICE
  off = 0; // FD_INODE
  major = 0; // FD_DEVICE
}

/** A device's read, write and poll routines (xv6's devsw, and Linux's poll). */
export interface Device {
  read(m: Machine, n: number, nonblock: boolean): KGen<Uint8Array | number>;
  write(m: Machine, src: Uint8Array): KGen<number>;
  poll(m: Machine): KGen<number>;
}

export class FileTable {
  readonly lock = new Spinlock("ftable");
  readonly file: File[] = Array.from({ length: NFILE }, () => new File());
}

// Allocate a file structure.
export function* filealloc(m: Machine): KGen<File | null> {
  const ft = m.ftable;
  yield* acquire(m, ft.lock);
  for (const f of ft.file) {
    if (f.ref === 0) {
      f.ref = 1;
      yield* release(m, ft.lock);
      return f;
    }
  }
  yield* release(m, ft.lock);
  return null;
}

// Increment ref count for file f.
export function* filedup(m: Machine, f: File): KGen<File> {
  yield* acquire(m, m.ftable.lock);
  if (f.ref < 1) panic("filedup");
  f.ref++;
  yield* release(m, m.ftable.lock);
  return f;
}

// Close file f. (Decrement ref count, close when reaches 0.)
// As in xv6, what the last close tears down (a pipe, the file's flock() lock) is torn down
// with ftable released: that takes other locks (the pipe's, flock, and through wakeup() every
// process's), and fork holds a new child's p->lock while filedup() takes ftable, so closing
// under ftable could deadlock with a fork. The flock() lock goes first, while f is still
// allocated (ref 1, held by no one else: the closer has the last reference), since the lock
// belongs to this open file and a reused slot would be another.
export function* fileclose(m: Machine, f: File): KGen {
  yield* acquire(m, m.ftable.lock);
  if (f.ref < 1) panic("fileclose");
  if (f.ref > 1) {
    f.ref--;
    yield* release(m, m.ftable.lock);
    return;
  }
  yield* release(m, m.ftable.lock);
  if (f.ip !== null) yield* m.locks.closeFile(m, f); // its flock() lock goes with it
  yield* acquire(m, m.ftable.lock);
  if (f.ref !== 1) panic("fileclose ref");
  const { type, pipe, writable } = f;
  Object.assign(f, new File());
  yield* release(m, m.ftable.lock);
  if (type === FD_PIPE) yield* pipeclose(m, pipe!, writable);
}

/** Metadata about file f, as xv6's struct stat and its modification time in ticks: [dev, ino,
 * type, nlink, size, mtime]. */
export function filestat(f: File): number[] | -1 {
  if (f.type !== FD_INODE && f.type !== FD_DEVICE) return -1;
  const ip = f.ip!;
  return [1, ip.inum, ip.type, ip.nlink, ip.size, ip.mtime];
}

// Read from file f: the bytes read (none at end of file), or -1.
export function* fileread(m: Machine, f: File, n: number): KGen<Uint8Array | number> {
  if (!f.readable) return -1;
  switch (f.type) {
    case FD_PIPE:
      return yield* piperead(m, f.pipe!, n, f.nonblock);
    case FD_DEVICE: {
      const dev = m.devsw[f.major];
      return dev === undefined ? -1 : yield* dev.read(m, n, f.nonblock);
    }
    case FD_INODE: {
      yield* acquire(m, m.fs.lock);
      const data = f.ip!.read(f.off, n);
      f.off += data.length;
      yield* release(m, m.fs.lock);
      return data;
    }
  }
  panic("fileread");
}

// Write to file f: the number of bytes written, or -1.
export function* filewrite(m: Machine, f: File, src: Uint8Array): KGen<number> {
  if (!f.writable) return -1;
  switch (f.type) {
    case FD_PIPE:
      return yield* pipewrite(m, f.pipe!, src, f.nonblock);
    case FD_DEVICE: {
      const dev = m.devsw[f.major];
      return dev === undefined ? -1 : yield* dev.write(m, src);
    }
    case FD_INODE: {
      yield* acquire(m, m.fs.lock);
      const ip = f.ip!;
      if (f.append) f.off = ip.size;
      const n = ip.write(f.off, src);
      f.off += n;
      ip.mtime = m.ticks;
      yield* release(m, m.fs.lock);
      return n;
    }
  }
  panic("filewrite");
}

// What poll() sees of file f: a pipe's end or a device as they are; a file in the file system
// is always ready (as Linux's regular files are).
export function* filepoll(m: Machine, f: File): KGen<number> {
  const mask = (f.readable ? POLLIN : 0) | (f.writable ? POLLOUT : 0);
  switch (f.type) {
    case FD_PIPE:
      return yield* pipepoll(m, f.pipe!, f.readable);
    case FD_DEVICE: {
      const dev = m.devsw[f.major];
      return dev === undefined ? POLLNVAL : (yield* dev.poll(m)) & mask;
    }
    case FD_INODE:
      return mask;
  }
  panic("filepoll");
}
