// File locks, as Linux has them: flock() locks belong to the open file (shared through dup
// and fork, released when its last descriptor closes); fcntl() record locks belong to the
// process (byte ranges, released when the process closes any descriptor of the file, or
// exits; a wait that would deadlock fails with EDEADLK).

import { ERRNO } from "./uapi/errno.ts";
import type { Chan, KGen } from "./event.ts";
import type { File } from "./file.ts";
import type { Inode } from "./fs.ts";
import type { Machine } from "./machine.ts";
import { killedNoLock, type Proc, sleep, timedSleep, UNUSED, wakeup, ZOMBIE } from "./proc.ts";
import { panic } from "./printf.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";
import {
  F_GETLK,
  F_RDLCK,
  F_SETLK,
  F_UNLCK,
  F_WRLCK,
  LOCK_EX,
  LOCK_NB,
  LOCK_SH,
  LOCK_UN,
} from "./uapi/fcntl.ts";

/** A flock() lock: held by an open file. */
interface FileLock {
  file: File;
  exclusive: boolean;
}

/** An fcntl() record lock: bytes [start, end) held by a process. */
interface RecordLock {
  proc: Proc;
  type: number; // F_RDLCK or F_WRLCK
  start: number;
  end: number; // Infinity: to the end of the file, however far it grows
}

/** The locks of one inode. */
export class InodeLocks implements Chan {
  readonly what: string;
  readonly flocks: FileLock[] = [];
  readonly records: RecordLock[] = [];
  constructor(readonly ip: Inode) {
    this.what = `lock on inode ${ip.inum}`;
  }
}

// A flock() lock's owner is an open file of its inode: fileclose() takes the lock away
// (closeFile) before it resets the file, so an entry whose file is of another inode, or of
// none, was never released. And the locks are compatible: one exclusive, or any shared.
function flocksok(l: InodeLocks, fn: string): void {
  for (const k of l.flocks) if (k.file.ip !== l.ip) panic(`${fn}: flock lock with no owner`);
  if (l.flocks.length > 1 && l.flocks.some((k) => k.exclusive)) {
    panic(`${fn}: exclusive flock lock shared`);
  }
}

// A record lock is held by a live process: exit() lets go of them all (releaseRecords)
// before the process becomes a ZOMBIE.
function ownerok(k: RecordLock, fn: string): void {
  if (k.proc.state === UNUSED || k.proc.state === ZOMBIE) {
    panic(`${fn}: record lock with no owner`);
  }
}

export class LockTable {
  readonly lock = new Spinlock("flock");
  private readonly byInode = new Map<Inode, InodeLocks>();
  /** What a process blocked in F_SETLKW waits for: the lock's holder, for deadlock detection. */
  private readonly waitsFor = new Map<Proc, Proc>();

  locks(m: Machine, ip: Inode): InodeLocks {
    if (!holding(m, this.lock)) panic("LockTable.locks");
    let l = this.byInode.get(ip);
    if (l === undefined) this.byInode.set(ip, l = new InodeLocks(ip));
    return l;
  }

  /** flock(fd, op): 0 or -errno. A wait ends at `deadline` (ticks; Infinity: none) with
   * ETIMEDOUT. */
  *flock(m: Machine, p: Proc, f: File, op: number, deadline = Infinity): KGen<number> {
    const mode = op & ~LOCK_NB;
    if (mode !== LOCK_SH && mode !== LOCK_EX && mode !== LOCK_UN) return -ERRNO.EINVAL;
    yield* acquire(m, this.lock);
    const l = this.locks(m, f.ip!);
    flocksok(l, "flock");
    // A conversion removes the old lock first: it is not atomic, as on Linux.
    const mine = l.flocks.findIndex((k) => k.file === f);
    if (mine >= 0) {
      l.flocks.splice(mine, 1);
      yield* wakeup(m, l);
    }
    let r = 0;
    if (mode !== LOCK_UN) {
      const exclusive = mode === LOCK_EX;
      for (;;) {
        if (!l.flocks.some((k) => k.exclusive || exclusive)) {
          l.flocks.push({ file: f, exclusive });
          break;
        }
        if (op & LOCK_NB) {
          r = -ERRNO.EAGAIN; // EWOULDBLOCK
          break;
        }
        if (killedNoLock(p)) {
          r = -ERRNO.EINTR;
          break;
        }
        if (m.ticks >= deadline) {
          r = -ERRNO.ETIMEDOUT;
          break;
        }
        yield* timedSleep(m, l, this.lock, deadline);
      }
    }
    flocksok(l, "flock");
    yield* release(m, this.lock);
    return r;
  }

  /** The last descriptor of an open file closed: its flock() lock goes. */
  *closeFile(m: Machine, f: File): KGen {
    const l = this.byInode.get(f.ip!);
    if (l === undefined || !l.flocks.some((k) => k.file === f)) return;
    yield* acquire(m, this.lock);
    // Still there: only a holder of f removes f's lock, and f's last holder is closing it.
    const i = l.flocks.findIndex((k) => k.file === f);
    if (i < 0) panic("closeFile: flock lock gone");
    l.flocks.splice(i, 1);
    yield* wakeup(m, l);
    yield* release(m, this.lock);
  }

  /** fcntl(fd, F_SETLK | F_SETLKW | F_GETLK, [type, start, len]). */
  *fcntl(
    m: Machine,
    p: Proc,
    f: File,
    cmd: number,
    type: number,
    start: number,
    len: number,
  ): KGen<number | number[]> {
    if (start < 0 || len < 0 || ![F_RDLCK, F_WRLCK, F_UNLCK].includes(type)) return -ERRNO.EINVAL;
    if ((type === F_RDLCK && !f.readable) || (type === F_WRLCK && !f.writable)) return -ERRNO.EBADF;
    const end = len === 0 ? Infinity : start + len;
    yield* acquire(m, this.lock);
    const l = this.locks(m, f.ip!);
    let r: number | number[] = 0;
    for (;;) {
      const c = type === F_UNLCK
        ? undefined
        : l.records.find((k) =>
          k.proc !== p && k.start < end && start < k.end && (k.type === F_WRLCK || type === F_WRLCK)
        );
      if (c !== undefined) ownerok(c, "fcntl");
      if (cmd === F_GETLK) {
        r = c === undefined
          ? [F_UNLCK, start, len, 0]
          : [c.type, c.start, c.end === Infinity ? 0 : c.end - c.start, c.proc.pid];
        break;
      }
      if (c === undefined) {
        this.setRange(m, l, p, type, start, end);
        // An unlock, or a write lock turned into a read lock (Linux wakes the waiters of a
        // downgraded lock too: readers it blocked may go on).
        if (type !== F_WRLCK) yield* wakeup(m, l);
        break;
      }
      if (cmd === F_SETLK) {
        r = -ERRNO.EAGAIN;
        break;
      }
      // F_SETLKW: waiting for c's holder; if it waits (through others) for us, that is a
      // deadlock.
      for (let q: Proc | undefined = c.proc; q !== undefined; q = this.waitsFor.get(q)) {
        if (q === p) r = -ERRNO.EDEADLK;
        if (q === p || this.waitsFor.size > m.procs.length) break;
      }
      if (r !== 0) break;
      if (killedNoLock(p)) {
        r = -ERRNO.EINTR;
        break;
      }
      if (this.waitsFor.has(p)) panic("fcntl: waits twice"); // deleted when its sleep ends
      this.waitsFor.set(p, c.proc);
      yield* sleep(m, l, this.lock);
      this.waitsFor.delete(p);
    }
    yield* release(m, this.lock);
    if (typeof r === "number" && r === 0 && type !== F_UNLCK) p.lockedInodes.add(f.ip!);
    return r;
  }

  // This process's locks over [start, end) become `type` (F_UNLCK: none), splitting its
  // locks that overlap the range.
  private setRange(
    m: Machine,
    l: InodeLocks,
    p: Proc,
    type: number,
    start: number,
    end: number,
  ): void {
    if (!holding(m, this.lock)) panic("setRange");
    // fcntl made [start, end) from a checked start >= 0 and len >= 0 (0: to Infinity).
    if (!(start >= 0 && start < end)) panic("setRange: empty range");
    const kept: RecordLock[] = [];
    for (const k of l.records) {
      if (k.proc !== p || k.end <= start || end <= k.start) {
        kept.push(k);
        continue;
      }
      if (k.start < start) kept.push({ ...k, end: start });
      if (end < k.end) kept.push({ ...k, start: end });
    }
    if (type !== F_UNLCK) kept.push({ proc: p, type, start, end });
    kept.sort((a, b) => a.start - b.start);
    l.records.splice(0, l.records.length, ...kept);
  }

  /** The process closed a descriptor of this file, or exits: all its record locks on it go. */
  *releaseRecords(m: Machine, p: Proc, ip: Inode): KGen {
    const l = this.byInode.get(ip);
    if (l === undefined || !l.records.some((k) => k.proc === p)) return;
    yield* acquire(m, this.lock);
    const kept = l.records.filter((k) => k.proc !== p);
    l.records.splice(0, l.records.length, ...kept);
    yield* wakeup(m, l);
    yield* release(m, this.lock);
  }
}
