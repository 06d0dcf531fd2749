// What a debugger sees of a stopped machine (dv6 debug's views): the process table, the CPUs,
// the locks, the IPC objects, files, pipes, the UART, and who waits for whom. Like xv6's
// procdump(), these read the kernel's structures without taking its locks: the machine is
// stopped between two steps, so nothing changes under them. Each returns lines of text.

import { EV } from "./event.ts";
import type { File } from "./file.ts";
import { FD_DEVICE, FD_INODE, FD_PIPE } from "./file.ts";
import type { Inode } from "./fs.ts";
import { InodeLocks } from "./flock.ts";
import type { Machine } from "./machine.ts";
import type { Pipe } from "./pipe.ts";
import { type Chan, type Proc, RUNNING, SLEEPING, UNUSED, ZOMBIE } from "./proc.ts";
import type { Spinlock } from "./spinlock.ts";
import type { Sleeplock } from "./sleeplock.ts";
import { SYSNAME } from "./uapi/syscall.ts";
import { FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS } from "./uapi/ipc.ts";

const STATE_WORDS = ["unused", "used", "sleeping", "runnable", "running", "zombie"];

function live(m: Machine): Proc[] {
  return m.procs.filter((p) => p.state !== UNUSED).sort((a, b) => a.pid - b.pid);
}

function procNamed(m: Machine, pid: number): Proc | null {
  return m.procs.find((p) => p.pid === pid && p.state !== UNUSED) ?? null;
}

/** "pid 3 (cat)", or "pid 3 (gone)" for a pid no longer in the table. */
export function who(m: Machine, pid: number): string {
  const p = procNamed(m, pid);
  return `pid ${pid} (${p === null ? "gone" : p.state === ZOMBIE ? `${p.name}, zombie` : p.name})`;
}

// The CPU running p's context (a CPU that has just switched away from p still names it in
// c.proc until its scheduler clears it).
function cpuOf(m: Machine, p: Proc): number {
  return m.cpus.findIndex((c) => c.current.proc === p);
}

/** ps: every process. */
export function ps(m: Machine): string[] {
  const rows = [["PID", "PPID", "STATE", "CPU", "WAITS FOR", "IN CALL", "NAME", "KILLED"]];
  for (const p of live(m)) {
    const cpu = cpuOf(m, p);
    rows.push([
      String(p.pid),
      p.parent === null ? "-" : String(p.parent.pid),
      STATE_WORDS[p.state],
      cpu < 0 ? "-" : String(cpu),
      p.state === SLEEPING && p.chan !== null ? p.chan.what : "-",
      p.syscall === 0 || p.state === ZOMBIE ? "-" : SYSNAME[p.syscall] ?? `sys${p.syscall}`,
      p.name,
      p.killed ? "killed" : "",
    ]);
  }
  return table(rows);
}

/** cpus: what each CPU runs, the locks it holds, its interrupts. */
export function cpus(m: Machine): string[] {
  const rows = [["CPU", "RUNS", "HOLDS", "INTR", "NOFF", "CLOCK"]];
  for (const c of m.cpus) {
    const runs = c.current.proc !== null
      ? `${who(m, c.current.proc.pid)}${c.current.userMode ? " user" : " kernel"}`
      : c.wfi
      ? "idle (wfi)"
      : "scheduler";
    const spin = spinningOn(c.lastEvent, c.held);
    rows.push([
      String(c.id),
      runs +
      (spin === null
        ? ""
        : spin.locked
        ? `, spinning on ${spin.label}`
        : `, acquiring ${spin.label}`),
      c.held.map((l) => l.label).join(" ") || "-",
      c.intrOn ? "on" : "off",
      String(c.noff),
      String(c.cycles),
    ]);
  }
  return table(rows);
}

// A CPU whose last step was an ACQUIRE it did not get yet is spinning on that lock.
function spinningOn(
  ev: { k: number; lk: { label: string } | null } | null,
  held: Spinlock[],
): Spinlock | null {
  if (ev === null || ev.k !== EV.ACQUIRE) return null;
  const lk = ev.lk as Spinlock;
  return held.includes(lk) ? null : lk;
}

/** locks: the spinlocks held (holder CPU and process, who spins on each) and sleep locks. */
export function locks(m: Machine): string[] {
  const rows = [["LOCK", "KIND", "HELD BY", "WAITERS"]];
  const spinners = (lk: Spinlock) =>
    m.cpus.filter((c) => spinningOn(c.lastEvent, c.held) === lk).map((c) => {
      const p = c.current.proc;
      return `cpu${c.id}${p === null ? "" : ` ${who(m, p.pid)}`} spins`;
    });
  const seen = new Set<Spinlock>();
  for (const c of m.cpus) {
    for (const lk of c.held) {
      seen.add(lk);
      const p = c.proc;
      rows.push([
        lk.label,
        "spin",
        `cpu${c.id}${p === null ? " (scheduler)" : ` ${who(m, p.pid)}`}`,
        spinners(lk).join(", ") || "-",
      ]);
    }
  }
  for (const c of m.cpus) {
    const lk = spinningOn(c.lastEvent, c.held);
    if (lk !== null && !seen.has(lk)) {
      seen.add(lk);
      rows.push([lk.label, "spin", "free (about to be taken)", spinners(lk).join(", ")]);
    }
  }
  for (const sl of sleepLocks(m)) {
    const waiters = sleepers(m, sl).map((p) => who(m, p.pid));
    rows.push([
      sl.what,
      "sleep",
      sl.locked ? who(m, sl.pid) : "free",
      waiters.join(", ") || "-",
    ]);
  }
  return rows.length === 1 ? ["no lock is held, and no CPU spins on one"] : table(rows);
}

function sleepLocks(m: Machine): Sleeplock[] {
  return [m.cons.writeLock];
}

function sleepers(m: Machine, chan: Chan): Proc[] {
  return live(m).filter((p) => p.state === SLEEPING && p.chan === chan);
}

/** sems: System V sets (values, SEM_UNDO adjustments, waiters), shared words (robust
 * semaphores and mutexes: values, owners, waiters), the processes' robust adjustments. */
export function sems(m: Machine): string[] {
  const out: string[] = [];
  for (const id of m.sem.ids()) {
    const set = m.sem.get(id)!;
    out.push(`semaphore set ${id} (key ${set.key}): ${set.sems.length} semaphores`);
    set.sems.forEach((s, i) => {
      const adjs = live(m).flatMap((p) => {
        const a = p.semadj.get(id)?.[i] ?? 0;
        return a === 0 ? [] : [`${who(m, p.pid)} ${a > 0 ? "+" : ""}${a}`];
      });
      const waiters = set.queue.filter((w) => w.status === null && w.ops.some((op) => op[0] === i))
        .map((w) => `${who(m, w.proc.pid)} (${w.ops.map((op) => `${op[1]}`).join(",")})`);
      out.push(
        `  ${id}.${i} = ${s.val}   last op by ${s.pid === 0 ? "none" : `pid ${s.pid}`}` +
          `   SEM_UNDO: ${adjs.join(", ") || "none"}   waiting: ${waiters.join(", ") || "none"}`,
      );
    });
  }
  if (out.length === 0) out.push("no System V semaphore sets");
  out.push(...sharedWords(m));
  return out;
}

// The shared objects' nonzero words: robust semaphores' values and mutexes' lock words (a
// lock word names its owner in its low bits), futex waiters, and the processes' robust
// adjustments (fast-path registrations, system-call path adjustments, an adjustment owed).
const SMALL_OBJECT_WORDS = 8;

function sharedWords(m: Machine): string[] {
  const out: string[] = [];
  const robust = m.shmem.robustWords();
  for (const obj of m.shmem.objects()) {
    const words: string[] = [];
    obj.words.forEach((w, i) => {
      const waiting = m.shmem.waitersOn(obj, i).map((p) => who(m, p.pid));
      // A small object's every word (a semaphore at 0 matters); a big one's nonzero words.
      if (w === 0 && waiting.length === 0 && obj.words.length > SMALL_OBJECT_WORDS) return;
      const owner = w & FUTEX_TID_MASK;
      const flags = [w & FUTEX_WAITERS ? "waiters" : "", w & FUTEX_OWNER_DIED ? "OWNER_DIED" : ""]
        .filter((f) => f !== "").join(", ");
      // A lock word: in a robust list, or with a lock's flag bits, or futex waiters on it.
      const lock = robust.has(`${obj.handle}:${i}`) || flags !== "" || waiting.length > 0;
      const what = lock
        ? ` (a lock word: ${owner === 0 ? "no owner" : `owner ${who(m, owner)}`}` +
          `${flags ? `, ${flags}` : ""})`
        : "";
      words.push(
        `  [${i}] = ${w}${what}` +
          (waiting.length > 0 ? `   futex waiters: ${waiting.join(", ")}` : ""),
      );
    });
    out.push(`shared object ${obj.handle} "${obj.name}" (${obj.words.length} words)`, ...words);
  }
  for (const p of live(m)) {
    const parts: string[] = [];
    for (const r of p.psemRegs) {
      parts.push(
        `fast path: word ${r.sem.obj.handle}[${r.sem.index}] adjusts by ` +
          `${r.adj.obj.words[r.adj.index]}`,
      );
    }
    for (const [key, delta] of p.psemAdj) {
      if (delta !== 0) parts.push(`syscall path ${key} ${delta}`);
    }
    if (p.critPending !== null) {
      parts.push(`in a fast-path critical section, owing ${p.critPending.delta}`);
    }
    if (parts.length > 0) out.push(`robust adjustments of ${who(m, p.pid)}: ${parts.join("; ")}`);
  }
  return out;
}

/** files PID: its open file descriptors. */
export function files(m: Machine, pid: number): string[] {
  const p = procNamed(m, pid);
  if (p === null) return [`no process ${pid}`];
  const rows = [["FD", "KIND", "WHAT", "MODE", "OFFSET", "FLAGS", "REFS"]];
  p.ofile.forEach((f, fd) => {
    if (f === null) return;
    rows.push([
      String(fd),
      f.type === FD_PIPE
        ? "pipe"
        : f.type === FD_INODE
        ? "file"
        : f.type === FD_DEVICE
        ? "device"
        : "none",
      fileWhat(m, f),
      (f.readable ? "r" : "-") + (f.writable ? "w" : "-"),
      f.type === FD_INODE ? String(f.off) : "-",
      [f.append ? "O_APPEND" : "", f.nonblock ? "O_NONBLOCK" : ""].filter((x) => x).join(",") ||
      "-",
      String(f.ref),
    ]);
  });
  return rows.length === 1 ? [`${who(m, pid)} has no open files`] : table(rows);
}

function fileWhat(m: Machine, f: File): string {
  if (f.type === FD_PIPE) return f.pipe!.lock.label;
  if (f.type === FD_DEVICE) return f.major === 1 ? "console" : `device ${f.major}`;
  return pathOf(m, f.ip!) ?? "(unlinked)";
}

// A file's path: a walk of the (small) file system from the root.
function pathOf(m: Machine, ip: Inode): string | null {
  const walk = (dir: Inode, prefix: string, depth: number): string | null => {
    if (depth > 32) return null;
    for (const e of dir.entries) {
      if (e === null || e.name === "." || e.name === "..") continue;
      if (e.ip === ip) return `${prefix}/${e.name}`;
      if (e.ip.entries.length > 0) {
        const found = walk(e.ip, `${prefix}/${e.name}`, depth + 1);
        if (found !== null) return found;
      }
    }
    return null;
  };
  return ip === m.fs.root ? "/" : walk(m.fs.root, "", 0);
}

function allPipes(m: Machine): Pipe[] {
  const pipes = new Set<Pipe>();
  for (const f of m.ftable.file) if (f.ref > 0 && f.pipe !== null) pipes.add(f.pipe);
  return [...pipes].sort((a, b) => a.id - b.id);
}

/** pipes: each pipe's fill, its ends' holders, who sleeps on it. */
export function pipes(m: Machine): string[] {
  const rows = [["PIPE", "BYTES", "READ END (PIDS)", "WRITE END (PIDS)", "SLEEPING"]];
  for (const pi of allPipes(m)) {
    const holders = (writable: boolean) =>
      live(m).filter((p) =>
        p.state !== ZOMBIE &&
        p.ofile.some((f) => f !== null && f.pipe === pi && f.writable === writable)
      ).map((p) => String(p.pid));
    const asleep = [
      ...sleepers(m, pi.nreadChan).map((p) => `${who(m, p.pid)} reading`),
      ...sleepers(m, pi.nwriteChan).map((p) => `${who(m, p.pid)} writing`),
    ];
    rows.push([
      pi.lock.label,
      `${pi.nwrite - pi.nread}/${pi.data.length}`,
      pi.readopen ? holders(false).join(",") || "open" : "closed",
      pi.writeopen ? holders(true).join(",") || "open" : "closed",
      asleep.join(", ") || "-",
    ]);
  }
  return rows.length === 1 ? ["no pipes"] : table(rows);
}

/** uart: the transmit ring, the byte on the wire, who sleeps on it. */
export function uart(m: Machine): string[] {
  const ring = m.uart.queued();
  const wire = m.uart.sending();
  const waiting = sleepers(m, m.uart.txChan).map((p) => who(m, p.pid));
  return [
    `transmit ring: ${ring.length} of 32 bytes ${JSON.stringify(new TextDecoder().decode(ring))}`,
    `on the wire: ${wire === null ? "nothing (idle)" : JSON.stringify(String.fromCharCode(wire))}` +
    (wire === null ? "" : `, out at cycle ${m.uart.txDoneAt}`),
    `lock uart: ${
      m.uart.txLock.locked ? `held by cpu${m.uart.txLock.cpu!.id}` : "free"
    }   sleeping on the ring: ${waiting.join(", ") || "none"}`,
  ];
}

/** why PID: the chain of waits from a process: what it waits for, who holds that, what that
 * process waits for, to a process that can run, or around a cycle (a deadlock). */
export function why(m: Machine, pid: number): string[] {
  const out: string[] = [];
  const seen: number[] = [];
  let p = procNamed(m, pid);
  if (p === null) return [`no process ${pid}`];
  while (p !== null) {
    if (seen.includes(p.pid)) {
      const cycle = [...seen.slice(seen.indexOf(p.pid)), p.pid].map((x) => `pid ${x}`);
      out.push(`a cycle: ${cycle.join(" -> ")}: deadlock`);
      break;
    }
    seen.push(p.pid);
    const step = waitOf(m, p);
    out.push(`${who(m, p.pid)} ${step.text}`);
    p = step.next;
  }
  return out;
}

// What p waits for, and the process that holds it (whose wait comes next in the chain).
function waitOf(m: Machine, p: Proc): { text: string; next: Proc | null } {
  if (p.state === ZOMBIE) {
    return { text: "is a zombie: its parent has not waited for it", next: null };
  }
  if (p.state === RUNNING) {
    const c = m.cpus.find((c) => c.proc === p)!;
    const lk = spinningOn(c.lastEvent, c.held);
    if (lk === null) return { text: `is running on cpu${c.id}`, next: null };
    const holder = lk.cpu?.proc ?? null;
    return {
      text: `spins on cpu${c.id} for lock ${lk.label}, held by ` +
        (lk.cpu === null
          ? "nobody (it gets it next)"
          : `cpu${lk.cpu.id}${holder ? ` ${who(m, holder.pid)}` : ""}`),
      next: holder,
    };
  }
  if (p.state !== SLEEPING) return { text: `is ${STATE_WORDS[p.state]}: it can run`, next: null };
  const chan = p.chan!;
  const name = chan.what;
  if (chan === m.cons.writeLock) {
    const sl = m.cons.writeLock;
    return {
      text: `waits for the sleep lock ${name}${
        sl.locked ? `, held by ${who(m, sl.pid)}` : ", free (woken soon)"
      }`,
      next: sl.locked ? procNamed(m, sl.pid) : null,
    };
  }
  if (chan === m.uart.txChan) {
    const queued = m.uart.queued().length;
    const sending = m.uart.sending() !== null;
    const state = `${queued} of 32 bytes queued, ${
      sending ? "a byte on the wire" : "nothing on the wire"
    }`;
    return {
      text: `waits for room in the UART's transmit ring (${state}): ` +
        (sending
          ? "the transmit interrupt will make room and wake it"
          : queued < 32
          ? "the ring has room, and no interrupt will come to wake it: its wakeup was lost"
          : "no byte is being sent, so no interrupt will come to drain the ring"),
      next: null,
    };
  }
  if (chan === m.cons.readChan) {
    return { text: "waits for a line typed at the console", next: null };
  }
  if (chan === m.ticksChan) return { text: `waits for the clock (tick ${m.ticks})`, next: null };
  for (const pi of allPipes(m)) {
    if (chan === pi.nreadChan || chan === pi.nwriteChan) {
      const reading = chan === pi.nreadChan;
      const others = live(m).filter((q) =>
        q !== p && q.state !== ZOMBIE &&
        q.ofile.some((f) => f !== null && f.pipe === pi && f.writable === reading)
      );
      const text = reading
        ? `waits for data in ${pi.lock.label} (empty); write end held by ${
          others.map((q) => `pid ${q.pid}`).join(", ") || "nobody"
        }`
        : `waits for room in ${pi.lock.label} (${
          pi.nwrite - pi.nread
        } bytes, full); read end held by ${
          others.map((q) => `pid ${q.pid}`).join(", ") || "nobody"
        }`;
      return { text, next: others.find((q) => q.state === SLEEPING) ?? others[0] ?? null };
    }
  }
  if (chan === p) {
    const kids = live(m).filter((q) => q.parent === p);
    return {
      text: `waits for a child to exit (children: ${
        kids.map((q) => `pid ${q.pid} ${STATE_WORDS[q.state]}`).join(", ") || "none"
      })`,
      next: kids.find((q) => q.state !== ZOMBIE) ?? null,
    };
  }
  if (chan instanceof InodeLocks) {
    // flock's owner is an open file (any process with it open holds it); fcntl's a process.
    const holders = live(m).filter((q) =>
      q !== p && q.state !== ZOMBIE &&
      (chan.records.some((r) => r.proc === q) ||
        chan.flocks.some((k) => q.ofile.includes(k.file)))
    );
    const path = pathOf(m, chan.ip) ?? `inode ${chan.ip.inum}`;
    return {
      text: `waits for a lock on ${path}, held by ${
        holders.map((q) => who(m, q.pid)).join(", ") || "nobody (woken soon)"
      }`,
      next: holders[0] ?? null,
    };
  }
  for (const id of m.sem.ids()) {
    const set = m.sem.get(id)!;
    const w = set.queue.find((w) => w === chan);
    if (w === undefined) continue;
    // A System V semaphore has no owner: the processes holding its tokens with SEM_UNDO are
    // the nearest thing (their exit gives them back).
    const holders = live(m).filter((q) => (q.semadj.get(id)?.[w.num] ?? 0) > 0);
    return {
      text: `waits in semop on ${id}.${w.num} = ${set.sems[w.num].val} ` +
        `(${w.ops.map((op) => `${op[0]}:${op[1]}`).join(" ")}); ` +
        `held with SEM_UNDO by ${holders.map((q) => who(m, q.pid)).join(", ") || "nobody"}`,
      next: holders[0] ?? null,
    };
  }
  const owner = ownerOf(m, chan);
  const more = chan.explain?.(m.procs) ?? "";
  return { text: `waits for ${name}${more}`, next: owner };
}

// The process named as the owner of what a channel stands for (a futex lock word's owner).
function ownerOf(m: Machine, chan: Chan): Proc | null {
  const more = chan.explain?.(m.procs) ?? "";
  const held = /held by pid (\d+), which is alive/.exec(more);
  return held === null ? null : procNamed(m, Number(held[1]));
}

/** Rows as columns padded to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join("  ").trimEnd()
  );
}

// --- values a debugger watches (null: the thing is not there at this step) -----------------

/** A System V semaphore's value (`num` given), or a whole set's values. */
export function semValue(m: Machine, id: number, num?: number): string | null {
  const set = m.sem.get(id);
  if (set === null) return null;
  if (num === undefined) return set.sems.map((s) => s.val).join(" ");
  return num < set.sems.length ? String(set.sems[num].val) : null;
}

/** The bytes in pipe #id. */
export function pipeFill(m: Machine, id: number): string | null {
  const pi = allPipes(m).find((p) => p.id === id);
  return pi === undefined ? null : String(pi.nwrite - pi.nread);
}

/** The processes that are zombies, as a list of pids. */
export function zombies(m: Machine): string {
  return m.procs.filter((p) => p.state === ZOMBIE).map((p) => p.pid).join(" ");
}

/** A process's state, and what it sleeps on. */
export function procState(m: Machine, pid: number): string | null {
  const p = procNamed(m, pid);
  if (p === null) return null;
  return STATE_WORDS[p.state] +
    (p.state === SLEEPING && p.chan !== null ? ` on ${p.chan.what}` : "") +
    (p.killed ? ", killed" : "");
}
