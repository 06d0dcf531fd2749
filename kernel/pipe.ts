// Pipes, exactly as xv6's kernel/pipe.c: a 512-byte ring with monotonically increasing read
// and write counters; readers sleep on nread, writers on nwrite. Beyond xv6: O_NONBLOCK ends
// with EAGAIN where xv6 would sleep, and a pipe that poll() has looked at wakes the pollers
// with its readers and writers.

import type { Chan, KGen } from "./event.ts";
import { FD_PIPE, type File, filealloc, fileclose } from "./file.ts";
import type { Machine } from "./machine.ts";
import { PIPESIZE } from "./uapi/param.ts";
import { pollwakeup } from "./poll.ts";
import { killedNoLock, sleep, wakeup } from "./proc.ts";
import { panic } from "./printf.ts";
import { ERRNO } from "./uapi/errno.ts";
import { POLLERR, POLLHUP, POLLIN, POLLOUT } from "./uapi/poll.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";

export class Pipe {
  readonly lock: Spinlock;
  readonly data = new Uint8Array(PIPESIZE);
  nread = 0; // number of bytes read
  nwrite = 0; // number of bytes written
  readopen = true; // read fd is still open
  writeopen = true; // write fd is still open
  // The channels: &pi->nread (readers wait for data), &pi->nwrite (writers wait for room).
  readonly nreadChan: Chan = { what: "pipe read" };
  readonly nwriteChan: Chan = { what: "pipe write" };
  polled = false; // a poller has looked at it: its changes wake the pollers too

  constructor(readonly id: number) {
    this.lock = new Spinlock(`pipe#${id}`);
  }
}

/** Make a pipe: [read end, write end], or null if the file table is full. */
export function* pipealloc(m: Machine): KGen<[File, File] | null> {
  const f0 = yield* filealloc(m);
  if (f0 === null) return null;
  const f1 = yield* filealloc(m);
  if (f1 === null) {
    yield* fileclose(m, f0);
    return null;
  }
  const pi = new Pipe(++m.pipesMade);
  Object.assign(f0, { type: FD_PIPE, readable: true, writable: false, pipe: pi });
  Object.assign(f1, { type: FD_PIPE, readable: false, writable: true, pipe: pi });
  return [f0, f1];
}

export function* pipeclose(m: Machine, pi: Pipe, writable: boolean): KGen {
  yield* acquire(m, pi.lock);
  if (writable) {
    pi.writeopen = false;
    yield* wake(m, pi, pi.nreadChan);
  } else {
    pi.readopen = false;
    yield* wake(m, pi, pi.nwriteChan);
  }
  yield* release(m, pi.lock);
}

// The ring's invariant, which every index computation relies on: nread <= nwrite <=
// nread + PIPESIZE. Checked where the counters move, with pi.lock held.
function ringok(pi: Pipe, fn: string): void {
  if (pi.nread > pi.nwrite || pi.nwrite > pi.nread + PIPESIZE) panic(`${fn}: ring counters`);
}

// Wake the readers or the writers (with pi.lock held), and the pollers if any look.
function* wake(m: Machine, pi: Pipe, chan: Chan): KGen {
  if (!holding(m, pi.lock)) panic("wake");
  yield* wakeup(m, chan);
  if (pi.polled) yield* pollwakeup(m);
}

/** What poll() sees of the pipe's end (`reading`: the read end). */
export function* pipepoll(m: Machine, pi: Pipe, reading: boolean): KGen<number> {
  yield* acquire(m, pi.lock);
  pi.polled = true;
  let r: number;
  if (reading) {
    r = (pi.nread !== pi.nwrite ? POLLIN : 0) | (pi.writeopen ? 0 : POLLHUP);
  } else {
    // As Linux: room means POLLOUT even when nobody reads any more.
    r = (pi.nwrite < pi.nread + PIPESIZE ? POLLOUT : 0) | (pi.readopen ? 0 : POLLERR);
  }
  yield* release(m, pi.lock);
  return r;
}

// Write all of src, sleeping while the pipe is full: n, or -1 if the reader is gone or the
// writer is killed (even if some bytes already went in). With `nonblock`, what fits: the count,
// or -EAGAIN if none did.
export function* pipewrite(
  m: Machine,
  pi: Pipe,
  src: Uint8Array,
  nonblock = false,
): KGen<number> {
  const pr = m.myproc();
  let i = 0;
  yield* acquire(m, pi.lock);
  while (i < src.length) {
    ringok(pi, "pipewrite"); // (broken, the loop below would spin without a yield)
    if (!pi.readopen || killedNoLock(pr)) {
      yield* release(m, pi.lock);
      return -1;
    }
    if (pi.nwrite === pi.nread + PIPESIZE) { //DOC: pipewrite-full
      yield* wake(m, pi, pi.nreadChan);
      if (nonblock) break;
      yield* sleep(m, pi.nwriteChan, pi.lock);
    } else {
      // Copy as many bytes as fit, one by one as xv6 does, with no yield between them.
      while (i < src.length && pi.nwrite < pi.nread + PIPESIZE) {
        pi.data[pi.nwrite++ % PIPESIZE] = src[i++];
      }
    }
  }
  yield* wake(m, pi, pi.nreadChan);
  yield* release(m, pi.lock);
  return i === 0 && src.length > 0 ? -ERRNO.EAGAIN : i;
}

// Read what is there, up to n bytes, sleeping while the pipe is empty and a writer remains:
// the bytes (none at end of file), or -1 if killed. With `nonblock`, -EAGAIN instead of
// sleeping.
export function* piperead(
  m: Machine,
  pi: Pipe,
  n: number,
  nonblock = false,
): KGen<Uint8Array | number> {
  const pr = m.myproc();
  yield* acquire(m, pi.lock);
  while (pi.nread === pi.nwrite && pi.writeopen) { //DOC: pipe-empty
    // p.killed without p->lock (see killedNoLock); read again after the release, where it
    // can only have turned true: -1 for a process that dies on its way out anyway.
    if (killedNoLock(pr) || nonblock) {
      yield* release(m, pi.lock);
      return killedNoLock(pr) ? -1 : -ERRNO.EAGAIN;
    }
    yield* sleep(m, pi.nreadChan, pi.lock); //DOC: piperead-sleep
  }
  ringok(pi, "piperead");
  const count = Math.min(n, pi.nwrite - pi.nread);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = pi.data[pi.nread++ % PIPESIZE];
  yield* wake(m, pi, pi.nwriteChan); //DOC: piperead-wakeup
  yield* release(m, pi.lock);
  return out;
}
