// Running recipes (GNU make's job.c, with commands.c's recipe lines and automatic variables): a
// job per file, its lines expanded when it starts and run one after the other as
// `/bin/sh -c LINE`, a job slot (or a jobserver token) per job, children reaped, the messages of
// a line that fails; -n, -q and -t as the lines meet them. Also -t's touch (GNU's touch_file, in
// remake.c): a job that ends under -t touches its file too, and remake.ts imports job.ts, not
// the other way round. And -O's temporary files, where a job's output waits (output.c).

import {
  O_APPEND,
  O_CREATE,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  type SpawnAction,
  spawnClose,
  spawnDup2,
  spawnOpen,
} from "../../kernel/uapi/fcntl.ts";
import { type Automatic, expand, type ExpandCtx } from "./expand.ts";
import {
  DONE,
  mtimeOf,
  type Node,
  node,
  type RecipeLine,
  RUNNING,
  VISIT_FAIL,
  VISIT_OK,
  VISIT_PENDING,
} from "./file.ts";
import { helperDone, tryAcquire } from "./jobserver.ts";
import type { Floc, Make } from "./makeint.ts";
import { enter, error, goalError, message } from "./output.ts";
import { drive, readFile } from "./read.ts";
import { exportedEnv, scope, type Vars } from "./variable.ts";
import type { Call } from "../lib/ulib.ts";

// ---------------------------------------------------------------------------------------------
// Recipe lines

/** A recipe line ready to run: its command and its prefixes (`@` silent, `-` ignore errors,
 * `+` run even under -n). */
export interface Command {
  text: string;
  silent: boolean;
  ignore: boolean;
  always: boolean;
}

/** Strips a recipe line's prefixes (leading whitespace and any of `@-+`). */
export function parseCommand(expanded: string): Command {
  let i = 0;
  const c: Command = { text: "", silent: false, ignore: false, always: false };
  for (; i < expanded.length; i++) {
    const ch = expanded[i];
    if (ch === "@") c.silent = true;
    else if (ch === "-") c.ignore = true;
    else if (ch === "+") c.always = true;
    else if (ch !== " " && ch !== "\t") break;
  }
  c.text = expanded.slice(i);
  return c;
}

/** An expanded recipe line's command lines: split at each newline that no backslash escapes
 * (GNU's construct_command_argv finds the end of one so). */
function commandLines(expanded: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let k = 0; k < expanded.length; k++) {
    if (expanded[k] === "\\") k++;
    else if (expanded[k] === "\n") {
      out.push(expanded.slice(start, k));
      start = k + 1;
    }
  }
  out.push(expanded.slice(start));
  return out;
}

/** Does an unexpanded recipe line run make recursively (`$(MAKE)` or `${MAKE}` in it)? */
export function isRecursive(text: string): boolean {
  return text.includes("$(MAKE)") || text.includes("${MAKE}");
}

/** Does a recipe line run make recursively ($(MAKE)) or run under -n, -q and -t (`+`)? */
export function recursiveLine(l: RecipeLine): boolean {
  return isRecursive(l.text) || /^[ \t@-]*\+/.test(l.text);
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** A recipe line ready to run. */
interface JobLine extends Command {
  recursive: boolean;
  floc: Floc;
}

export interface Job {
  id: string;
  node: Node;
  lines: JobLine[];
  next: number;
  pid: number;
  /** The line that runs (for its messages). */
  line: JobLine | null;
  /** The job spawns processes (it holds a slot). */
  slot: boolean;
  /** The environment of its lines (make's, or one with its target-specific variables). */
  env: string[];
  recursive: boolean;
  /** With a job log: the clock tick its last line was reaped at (its end, before make
   * reports it: printing a failure can take a tick, while a robust jobserver has its token
   * back from the moment a killed sub-make died). */
  reapedTick: number | null;
  /** -O: the files its output waits in (made when its first synced line runs). */
  sync: SyncOut | null;
}

/** -t: touches a file as GNU make does (its first byte written back as it is; an empty file
 * created or truncated), printing `touch FILE` unless -s; under -n only the line. False if it
 * cannot be opened. */
export function* touch(mk: Make, n: Node): Call<boolean> {
  const sys = mk.sys;
  if (mk.deferEnter) yield* enter(mk);
  if (!mk.o.silent) yield* sys.write(1, `touch ${n.name}\n`);
  mk.started++; // as GNU make: no "is up to date" for a goal touched
  if (mk.o.dryRun) return true;
  let fd = yield* sys.open(n.name, O_RDWR | O_CREATE);
  if (fd < 0) {
    yield* error(mk, `touch: open: ${n.name}: No such file or directory`);
    return false;
  }
  const st = yield* sys.fstat(fd);
  const byte = new Uint8Array(1);
  const size = st === -1 ? 0 : st.size;
  if (size > 0) yield* sys.read(fd, byte, 1);
  yield* sys.close(fd);
  // dv6 has no lseek: the byte is written at the start of the file opened again; an empty
  // file is truncated (either way the file system sets its modification time).
  fd = yield* sys.open(n.name, size > 0 ? O_WRONLY : O_WRONLY | O_TRUNC);
  if (fd >= 0) {
    if (size > 0) yield* sys.write(fd, byte, 1);
    yield* sys.close(fd);
  }
  return true;
}

/** Stops starting jobs after an error (without -k). */
export function* stopping(mk: Make): Call<void> {
  mk.stopping = true;
  mk.failed = true;
  if (mk.jobs.size > 0 && !mk.waitingPrinted) {
    mk.waitingPrinted = true;
    yield* error(mk, "*** Waiting for unfinished jobs....");
  }
}

/** Can a job start now? Takes a slot if so (the implicit one, a spare token, a token taken
 * without waiting); otherwise the pass is blocked. */
function* takeSlot(mk: Make): Call<boolean> {
  const running = [...mk.jobs.values()].filter((j) => j.slot).length;
  const js = mk.js;
  if (js === null) return running < mk.limit;
  if (running === 0) return true;
  if (js.broken) return false;
  if (js.held.length >= running) return true; // a spare token
  if (yield* tryAcquire(mk.sys, js)) return true;
  return false;
}

/** Starts a file's recipe: expands its lines (with the automatic variables), then runs the
 * first. VISIT_PENDING while it runs; under -n a recipe without recursive lines is only
 * printed and done at once. */
export function* startJob(mk: Make, n: Node): Call<number> {
  const recipe = n.recipe!;
  const o = mk.o;
  const spawns = (!o.dryRun && !o.question && !o.touch) || recipe.some(recursiveLine);
  if (spawns && !(yield* takeSlot(mk))) {
    mk.blocked = true;
    return VISIT_PENDING;
  }
  const auto = automatic(mk, n);
  const vars = yield* scope(mk, n);
  const ctx: ExpandCtx = { vars, auto, floc: null };
  const lines: JobLine[] = [];
  const quiet = mk.db.files.get(".SILENT")?.deps.includes(n.name) ?? false;
  for (const l of recipe) {
    ctx.floc = l.floc;
    // A line that expands to several (a `define` through $(call)) runs them one by one, each
    // with the written line's prefixes and its own; after a `+`, as in GNU make, the rest of
    // the line's are recursive too.
    const written = parseCommand(l.text);
    let recursive = written.always || isRecursive(l.text);
    for (const sub of commandLines(yield* drive(mk, expand(l.text, ctx)))) {
      const c = parseCommand(sub);
      recursive ||= c.always;
      lines.push({
        ...c,
        silent: c.silent || written.silent || quiet,
        ignore: c.ignore || written.ignore || mk.o.ignoreErrors,
        recursive,
        floc: l.floc,
      });
    }
  }
  mk.started++;
  const job: Job = {
    id: `${mk.pid}.${++mk.jobsMade}`,
    node: n,
    env: vars === mk.db.vars ? mk.env : yield* jobEnv(mk, vars, auto),
    lines,
    next: 0,
    pid: 0,
    line: null,
    slot: spawns,
    recursive: lines.some((l) => l.recursive),
    reapedTick: null,
    sync: null,
  };
  n.state = RUNNING;
  for (const a of n.also) a.state = RUNNING;
  if (job.slot && !job.recursive) {
    yield* logJob(mk, `S ${job.id} ${yield* mk.sys.uptime()} ${n.name}`);
  }
  yield* runNext(mk, job);
  // One job slot and no jobserver (GNU's job_slots == 1): make runs things one at a time, so it
  // waits for the job here, as GNU's new_job does. Nothing else is printed or looked at while
  // the job runs: the next recipe of a -n build comes after a recursive make's output, and an
  // error found in the next prerequisite is reported with no job left to wait for.
  if (mk.js === null && mk.limit === 1) {
    while (n.state === RUNNING && (yield* reapChild(mk)));
  }
  return n.state === DONE ? (n.failed ? VISIT_FAIL : VISIT_OK) : VISIT_PENDING;
}

/** The environment of a job whose file has target-specific variables: the exported variables
 * as its recipe sees them. */
function* jobEnv(mk: Make, vars: Vars, auto: Automatic): Call<string[]> {
  const env = yield* exportedEnv(mk, vars, auto);
  if (mk.joblog !== null) env.set("MAKE_JOBLOG", mk.joblog);
  env.delete("MAKE_JOBID");
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** The automatic variables of a file's recipe. */
function automatic(mk: Make, n: Node): Automatic {
  // A prerequisite is named where directory search found it.
  const named = (d: string) => node(mk, d).path ?? d;
  const newer: string[] = [];
  for (const d of n.deps) {
    const dn = node(mk, d);
    if (n.mtime === null || dn.changed || dn.mtime === null || dn.mtime > n.mtime) {
      newer.push(named(d));
    }
  }
  const deps = n.deps.map(named);
  return {
    "@": n.name,
    "<": deps[0] ?? "",
    "^": deps.join(" "),
    "+": deps.join(" "),
    "*": n.stem,
    "?": newer.join(" "),
    "|": n.orderOnly.map(named).join(" "),
  };
}

/** Runs the job's next line (printing it first, unless silent); a job whose lines are all done
 * (or only printed) finishes. */
function* runNext(mk: Make, job: Job): Call<void> {
  const { sys, o } = mk;
  while (job.next < job.lines.length) {
    const l = job.lines[job.next++];
    job.line = l;
    if (o.touch && !l.recursive) continue;
    if (o.question && !l.recursive && l.text.trim() !== "") {
      // -q: a line to run: the target is not up to date.
      yield* finishJob(mk, job, "question");
      return;
    }
    if (l.text.trim() === "") continue; // nothing to print or run, as in GNU make
    const sync = yield* syncFor(mk, job, l);
    // -q says `Entering directory` before it runs anything (-O, before what it prints).
    if (mk.o.question && mk.deferEnter) yield* enter(mk);
    if (o.dryRun || (!l.silent && !o.silent)) yield* syncWrite(mk, sync, 1, l.text + "\n");
    if (o.dryRun && !l.recursive) continue;
    const actions: SpawnAction[] = [];
    if (sync !== null) {
      actions.push(spawnOpen(1, sync.out, O_WRONLY | O_APPEND));
      if (sync.err === sync.out) actions.push(spawnDup2(1, 2));
      else actions.push(spawnOpen(2, sync.err, O_WRONLY | O_APPEND));
    }
    const js = mk.js;
    if (js !== null && js.style === "pipe" && !l.recursive) {
      actions.push(spawnClose(js.r), spawnClose(js.w));
    }
    // sh -c runs each line of its argument: a backslash-newline continues the line.
    const cmd = l.text.replace(/\\\n/g, "");
    // With a job log, a recursive make learns which job it is (for --timeline).
    const env = mk.joblog !== null && l.recursive ? [...job.env, `MAKE_JOBID=${job.id}`] : job.env;
    const pid = yield* sys.spawn("/bin/sh", ["sh", "-c", cmd], actions, 0, 0, env);
    if (pid < 0) {
      yield* sys.write(2, `${mk.prog}: /bin/sh: No such file or directory\n`);
      if (yield* lineFailed(mk, job, 127)) return;
      continue;
    }
    job.pid = pid;
    mk.jobs.set(pid, job);
    return;
  }
  yield* finishJob(mk, job, "done");
}

/** A line ended with a non-zero status: the message; true if the job failed. */
function* lineFailed(mk: Make, job: Job, status: number): Call<boolean> {
  const l = job.line!;
  const what = status === -1 ? "Killed" : `Error ${status}`;
  // A built-in recipe has no line (implicit.ts's BUILTIN): `[<builtin>: t]`, as GNU says it.
  const at = l.floc.line > 0 ? `${l.floc.file}:${l.floc.line}` : l.floc.file;
  const where = `[${at}: ${job.node.name}]`;
  const sync = job.sync !== null && syncs(mk, l) ? job.sync : null;
  if (l.ignore) {
    if (!mk.o.silent) yield* syncWrite(mk, sync, 2, `${mk.prog}: ${where} ${what} (ignored)\n`);
    return false;
  }
  if (mk.o.question && l.recursive && status === 1) {
    // -q: a sub-make found something to remake; no message.
    yield* finishJob(mk, job, "question");
    return true;
  }
  // A makefile of `-include` fails silently (GNU's dontcare).
  if (!job.node.dontcare) {
    yield* goalError(mk);
    yield* syncWrite(mk, sync, 2, `${mk.prog}: *** ${where} ${what}\n`);
  }
  yield* finishJob(mk, job, "failed");
  return true;
}

/** Waits for a child to end (or takes one a $(shell) reaped) and handles it; false if there
 * is none. */
export function* reapChild(mk: Make): Call<boolean> {
  const [pid, status] = mk.reaps.shift() ?? (yield* mk.sys.wait());
  if (pid < 0) return false;
  yield* reaped(mk, pid, status);
  return true;
}

/** A child ended: a job's line, or the token helper. */
export function* reaped(mk: Make, pid: number, status: number): Call<void> {
  const js = mk.js;
  if (js !== null && pid === js.helper) {
    helperDone(js, status);
    return;
  }
  const job = mk.jobs.get(pid);
  if (job === undefined) return;
  mk.jobs.delete(pid);
  job.pid = 0;
  if (mk.joblog !== null) job.reapedTick = yield* mk.sys.uptime();
  if (status !== 0 && (yield* lineFailed(mk, job, status))) return;
  if (mk.o.outputSync === "line") yield* syncDump(mk, job.sync);
  yield* runNext(mk, job);
}

/** A job is over: its file is done (remade, failed, or found out of date by -q), and so are
 * the other targets its pattern rule made. */
function* finishJob(mk: Make, job: Job, how: "done" | "failed" | "question"): Call<void> {
  yield* syncDump(mk, job.sync);
  if (job.sync !== null) {
    yield* mk.sys.unlink(job.sync.out);
    if (job.sync.err !== job.sync.out) yield* mk.sys.unlink(job.sync.err);
    job.sync = null;
  }
  yield* settle(mk, job, how);
  const n = job.node;
  for (const a of n.also) {
    a.state = DONE;
    a.failed = n.failed;
    const before = a.mtime;
    a.mtime = yield* mtimeOf(mk.sys, a.name);
    a.changed = n.changed && (mk.o.dryRun || a.mtime === null || a.mtime !== before);
  }
}

function* settle(mk: Make, job: Job, how: "done" | "failed" | "question"): Call<void> {
  const n = job.node;
  n.state = DONE;
  if (job.slot) {
    const tick = job.reapedTick ?? (yield* mk.sys.uptime());
    yield* logJob(mk, `${job.recursive ? "X" : "E"} ${job.id} ${tick}`);
  }
  if (how === "question") {
    n.failed = true;
    mk.questioned = true;
    return;
  }
  if (how === "failed") {
    n.failed = true;
    if (n.dontcare) return;
    mk.failed = true;
    if (!mk.o.keepGoing) yield* stopping(mk);
    return;
  }
  // -t: the recursive lines have run; the file is touched unless they were all it had.
  if (mk.o.touch && !n.phony && job.lines.some((l) => !l.recursive)) {
    if (!(yield* touch(mk, n))) {
      n.failed = true;
      mk.failed = true;
      if (!mk.o.keepGoing) yield* stopping(mk);
      return;
    }
  }
  if (mk.o.dryRun) {
    n.changed = true;
    return;
  }
  const before = n.mtime;
  n.mtime = n.phony ? null : yield* mtimeOf(mk.sys, n.name);
  n.path = null; // remade here
  n.changed = n.mtime === null || n.mtime !== before;
}

export function* logJob(mk: Make, record: string): Call<void> {
  if (mk.joblog === null) return;
  const fd = yield* mk.sys.open(mk.joblog, O_WRONLY | O_APPEND);
  if (fd < 0) return;
  yield* mk.sys.write(fd, record + "\n");
  yield* mk.sys.close(fd);
}

// ---------------------------------------------------------------------------------------------
// -O: a job's output kept together (GNU's output.c: its struct output, output_dump)

/** The temporary files a job's output waits in: one for both streams when make's stdout and
 * stderr are the same file (GNU's combined_output), else one each. */
export interface SyncOut {
  out: string;
  err: string;
}

/** Is this line's output kept back? Under -O recurse all of it; under line and target, that
 * of lines that do not run make (a sub-make keeps its own). */
function syncs(mk: Make, l: JobLine): boolean {
  const mode = mk.o.outputSync;
  return mode === "recurse" || ((mode === "line" || mode === "target") && !l.recursive);
}

/** Where a line's output goes: the job's files (made now if need be), or null (straight to
 * make's own stdout and stderr, after what the job kept back so far). */
function* syncFor(mk: Make, job: Job, l: JobLine): Call<SyncOut | null> {
  if (!syncs(mk, l)) {
    yield* syncDump(mk, job.sync);
    return null;
  }
  if (job.sync !== null) return job.sync;
  const { sys } = mk;
  // GNU's first job ends the block of what make printed while it read the makefiles.
  if (mk.deferEnter && mk.o.outputSync !== "recurse") {
    mk.deferEnter = false;
    if (mk.entered) yield* message(mk, `Leaving directory '${mk.cwd}'`);
    mk.entered = false;
  }
  const [o, e] = [yield* sys.fstat(1), yield* sys.fstat(2)];
  const combined = o !== -1 && e !== -1 && o.dev === e.dev && o.ino === e.ino;
  yield* sys.mkdir("/tmp");
  const base = `/tmp/make.${job.id}`;
  job.sync = { out: `${base}.out`, err: combined ? `${base}.out` : `${base}.err` };
  for (const f of new Set([job.sync.out, job.sync.err])) {
    const fd = yield* sys.open(f, O_WRONLY | O_CREATE | O_TRUNC);
    if (fd >= 0) yield* sys.close(fd);
  }
  return job.sync;
}

/** Writes make's own text for a job: into its files, or to fd. */
function* syncWrite(mk: Make, sync: SyncOut | null, fd: number, text: string): Call<void> {
  if (sync === null) {
    if (mk.deferEnter) yield* enter(mk);
    yield* mk.sys.write(fd, text);
    return;
  }
  const f = yield* mk.sys.open(fd === 1 ? sync.out : sync.err, O_WRONLY | O_APPEND);
  if (f < 0) return;
  yield* mk.sys.write(f, text);
  yield* mk.sys.close(f);
}

/** Writes out what a job kept back, and empties its files: under line and target, between
 * `Entering directory` and `Leaving directory` when make says where it works. */
function* syncDump(mk: Make, sync: SyncOut | null): Call<void> {
  if (sync === null) return;
  const { sys } = mk;
  const out = (yield* readFile(sys, sync.out)) ?? "";
  const err = sync.err === sync.out ? "" : (yield* readFile(sys, sync.err)) ?? "";
  if (out === "" && err === "") return;
  const wrap = mk.printDir && mk.o.outputSync !== "recurse";
  if (wrap) yield* sys.write(1, `${mk.prog}: Entering directory '${mk.cwd}'\n`);
  if (out !== "") yield* sys.write(1, out);
  if (err !== "") yield* sys.write(2, err);
  if (wrap) yield* sys.write(1, `${mk.prog}: Leaving directory '${mk.cwd}'\n`);
  for (const f of new Set([sync.out, sync.err])) {
    const fd = yield* sys.open(f, O_WRONLY | O_TRUNC);
    if (fd >= 0) yield* sys.close(fd);
  }
}
