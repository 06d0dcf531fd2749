// The REPL: the host terminal attached to the machine's console. Lines are edited on the host
// (node:readline: history, tab completion of programs and paths of the simulated file system)
// and typed into the UART as soon as a process reads the console, whatever else runs. The
// machine computes at the host's speed and takes its ticks from the host's clock (--hz ticks
// per real second, journaled). Lines starting with ':' are monitor commands for the host. Every session is journaled, so a panic or a hang met by hand leaves
// a crash log to replay.
//
// The host never blocks on the machine nor the machine on the host: the machine runs in
// slices, and between two slices the host takes keys and lines, types what the machine may
// read, and shows what it wrote. While nothing happens, nothing is written to the terminal.

import * as readline from "node:readline";
import { PassThrough } from "node:stream";
import process from "node:process";
import { JournalWriter } from "../kernel/journal.ts";
import {
  type Machine,
  type Proc,
  SLEEPING,
  STATE_NAMES,
  UNUSED,
  ZOMBIE,
} from "../kernel/machine.ts";

import { T_DIR } from "../kernel/uapi/stat.ts";
import {
  addHistory,
  type BootOptions,
  buildId,
  dataDir,
  dataFile,
  FileSink,
  headerFor,
  HISTORY_LINES,
  hostErrorText,
  machineFrom,
  readHistory,
} from "./host.ts";
import { Injector } from "./inject.ts";
import { HostClock } from "./hostclock.ts";
import { Typist } from "./session.ts";
import { exitStatus, reportCrash } from "./status.ts";

const KEEP_SESSIONS = 5;
/** Steps the machine runs between two looks at the host (under a host millisecond). */
const SLICE_STEPS = 2_000;

const HELP = `monitor commands (the machine never sees these lines):
  :help          this list
  :ps            the process table as the kernel sees it
  :journal PATH  save the journal so far (replay it with: dv6 replay PATH)
  :quit          stop the machine and leave dv6
Ctrl-C is ^C at the console (it stops the foreground command); Ctrl-P prints the process
list; Ctrl-D on an empty line leaves dv6 (with jobs running, the second Ctrl-D), as :quit does.`;

export interface ReplOptions {
  journal?: string;
  hz: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CTRL_C = 0x03, CTRL_D = 0x04, TAB = 0x09, CTRL_P = 0x10;

/** The process table with what the kernel knows: CPU, state, channel, group, killed. */
export function kernelPs(m: Machine): string {
  const rows = [`cycles ${m.cycles}, ticks ${m.ticks}, steps ${m.steps}`];
  m.cpus.forEach((c) => {
    rows.push(`cpu${c.id}: ${c.proc ? `pid ${c.proc.pid}` : c.wfi ? "idle (wfi)" : "scheduler"}`);
  });
  rows.push("PID  PPID PGID STATE  TICKS KILLED NAME            WAITS FOR");
  for (const p of m.procs) {
    if (p.state === UNUSED) continue;
    rows.push(
      `${String(p.pid).padEnd(4)} ${String(p.parent?.pid ?? 0).padEnd(4)} ${
        String(p.pgid).padEnd(4)
      } ` +
        `${STATE_NAMES[p.state]} ${String(p.ticks).padEnd(5)} ${p.killed ? "yes   " : "no    "} ` +
        `${p.name.padEnd(15)} ${p.chan?.what ?? ""}`,
    );
  }
  return rows.join("\n");
}

/** Processes that would die with the machine: all but init and whoever reads the console. */
function runningJobs(m: Machine): Proc[] {
  return m.procs.filter((p) =>
    p.pid > 1 && p.state !== UNUSED && p.state !== ZOMBIE &&
    !(p.state === SLEEPING && p.chan === m.cons.readChan)
  );
}

/**
 * Tab completion of programs in /bin (the first word) and of paths of the simulated file
 * system, relative to the console reader's cwd. As bash does: a unique match gets a space
 * after it (a directory a `/`); readline inserts the common prefix on the first Tab and lists
 * the candidates on the second.
 */
export function completer(m: Machine, line: string): [string[], string] {
  const word = line.slice(line.lastIndexOf(" ") + 1);
  const first = !line.trimStart().includes(" ");
  const reader = m.procs.find((p) => p.chan === m.cons.readChan) ?? m.initproc;
  const cwd = reader.cwd ?? m.fs.root;
  const slash = word.lastIndexOf("/");
  const dirPath = slash < 0 ? (first ? "/bin" : ".") : word.slice(0, slash + 1) || "/";
  const dir = m.fs.namei(dirPath, cwd);
  if (dir === null || dir.type !== T_DIR) return [[], word];
  const prefix = slash < 0 ? "" : word.slice(0, slash + 1);
  const names = dir.entries
    .filter((e) => e !== null && e.name !== "." && e.name !== "..")
    .map((e) => prefix + e!.name + (e!.ip.type === T_DIR ? "/" : ""))
    .filter((n) => n.startsWith(word))
    .sort();
  if (names.length === 1 && !names[0].endsWith("/")) names[0] += " ";
  return [names, word];
}

// Keep the last few session journals; older ones go.
function pruneSessions(): void {
  const dir = dataDir();
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.startsWith("session-")
  )
    .sort();
  for (const n of names.slice(0, Math.max(0, names.length - KEEP_SESSIONS))) {
    Deno.removeSync(`${dir}/${n}`);
  }
}

/**
 * Lets Deno's event loop take keys and lines while the machine computes. An awaited I/O
 * operation (a zero-byte write) makes Deno poll its I/O: measured here with the machine busy,
 * a setImmediate() yield left a typed line unread for 30 ms (median), a setTimeout(0) yield
 * costs 2.5 ms (clamped when nested), and this one costs 0.04 ms with 1 ms of latency.
 */
function yieldToHost(): Promise<number> {
  return Deno.stdout.write(new Uint8Array(0));
}

/** A promise the host loop sleeps on until a key, a line, or a timer wakes it. */
class Waker {
  private resolve: (() => void) | null = null;
  wake = (): void => {
    this.resolve?.();
    this.resolve = null;
  };
  sleep(ms: number): Promise<void> {
    return new Promise((ok) => {
      const timer = setTimeout(this.wake, Math.max(0, ms));
      this.resolve = () => {
        clearTimeout(timer);
        ok();
      };
    });
  }
}

/**
 * The terminal's screen at a tty: the machine's partial last line (its prompt) is readline's
 * prompt, so that line editing redraws it; complete lines of output go above the line being
 * edited, which is drawn again below them, intact.
 */
class Screen {
  /** The machine's output since the last complete line: shown as readline's prompt. */
  partial = "";
  constructor(
    private readonly rl: readline.Interface,
    private readonly write: (s: string) => void,
  ) {}

  /** Writes `text` (complete lines) above the edited line, and the prompt `partial` below. */
  above(text: string): void {
    const out = process.stdout;
    // The edited line may wrap: from its last row up to its first, then clear what is below.
    const rows = this.rl.getCursorPos().rows;
    if (rows > 0) readline.moveCursor(out, 0, -rows);
    readline.cursorTo(out, 0);
    readline.clearScreenDown(out);
    if (text !== "") this.write(text);
    // readline moves up by the rows it drew last time before it draws again: it is to draw
    // on the row we now stand on.
    (this.rl as unknown as { prevRows: number }).prevRows = 0;
    this.rl.setPrompt(this.partial);
    this.rl.prompt(true);
  }

  /** Machine output: complete lines above, the rest becomes the prompt. */
  output(text: string): void {
    const all = this.partial + text;
    const nl = all.lastIndexOf("\n");
    if (nl < 0) {
      this.partial = all;
      this.above("");
    } else {
      this.partial = all.slice(nl + 1);
      this.above(all.slice(0, nl + 1));
    }
  }
}

export async function repl(o: BootOptions, r: ReplOptions): Promise<number> {
  const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const header = headerFor(
    { ...o, initArgv: ["init"], options: { ...o.options, clock: "host" } },
    await buildId(),
  );
  const journalPath = r.journal ?? dataFile("session");
  if (r.journal === undefined) pruneSessions();
  const sink = new FileSink(journalPath);
  const writer = new JournalWriter(sink, header);
  const injector = o.inject === undefined ? null : new Injector(writer, o.inject);

  // Console output waits here during a slice, and goes out once after it: one redraw a slice.
  let pending = "";
  const m = machineFrom(header, injector ?? writer, (bytes, echo) => {
    // At a terminal readline already shows what was typed; a transcript shows the echo.
    if (!(tty && echo)) pending += decoder.decode(bytes, { stream: true });
  });

  // Keys come from stdin raw; those that are the console's (^C, ^P, and ^D on an empty line)
  // go to the machine, the rest to readline.
  const keys = new PassThrough();
  const rl = readline.createInterface({
    input: keys,
    output: tty ? process.stdout : undefined,
    terminal: tty,
    prompt: "",
    history: tty ? readHistory("history") : [],
    historySize: HISTORY_LINES,
    completer: (line: string) => completer(m, line),
  });
  rl.on("SIGTSTP", () => {}); // the machine has no job control; dv6 is not suspended
  let atLineStart = true; // of a transcript (no terminal)
  const transcript = (s: string) => {
    if (s === "") return;
    Deno.stdout.writeSync(encoder.encode(s));
    atLineStart = s.endsWith("\n");
  };
  const screen = new Screen(rl, transcript);
  const flush = () => {
    if (pending === "") return;
    if (tty) screen.output(pending);
    else {
      const nl = pending.lastIndexOf("\n");
      screen.partial = nl < 0 ? screen.partial + pending : pending.slice(nl + 1);
      transcript(pending);
    }
    pending = "";
  };
  // The monitor's own lines start on a line of their own; without a terminal, the machine's
  // partial line (its prompt) is shown again after them.
  const say = (s: string) => {
    flush();
    if (tty) screen.above(s + "\n");
    else transcript((atLineStart ? "" : "\n") + s + "\n" + screen.partial);
  };

  const waker = new Waker();
  const queue: string[] = [];
  const typist = new Typist();
  let inputEnded = false;
  let quit = false;
  let warnedJobs = false;

  const ctrlC = () => {
    if (tty) {
      // The console drops the line being edited, and so does the host's editor; the line
      // stays on the screen, with the ^C the kernel prints after it.
      screen.partial += rl.line;
      rl.write(null, { ctrl: true, name: "e" });
      rl.write(null, { ctrl: true, name: "u" });
    }
    m.input(Uint8Array.of(CTRL_C));
    waker.wake();
  };
  const ctrlD = () => {
    const jobs = runningJobs(m);
    if (jobs.length > 0 && !warnedJobs) {
      warnedJobs = true;
      say(
        `dv6: jobs are running (${
          jobs.map((p) => `${p.pid} ${p.name}`).join(", ")
        }); Ctrl-D again leaves, and they stop with the machine`,
      );
    } else {
      quit = true;
      waker.wake();
    }
  };
  Deno.addSignalListener("SIGINT", ctrlC); // a kill -INT from outside, or no terminal
  if (tty) Deno.stdin.setRaw(true);
  void (async () => { // runs until stdin ends; dv6 exits without waiting for it
    try {
      for await (const chunk of Deno.stdin.readable) {
        if (!tty) {
          keys.write(chunk);
          continue;
        }
        for (const b of chunk) {
          if (b === CTRL_C) ctrlC();
          else if (b === CTRL_P) {
            m.input(Uint8Array.of(CTRL_P));
            waker.wake();
          } else if (b === CTRL_D && rl.line === "") ctrlD();
          else {
            keys.write(Uint8Array.of(b));
            // readline applies a completion a moment after the Tab (it awaits the completer):
            // keys typed behind the Tab wait for it, or they would land before it.
            if (b === TAB) await new Promise((ok) => setTimeout(ok, 0));
          }
        }
      }
    } catch {
      // stdin went away: as its end
    }
    keys.end();
  })();
  rl.on("close", () => {
    inputEnded = true;
    waker.wake();
  });

  // A monitor command runs when it is typed at a terminal, or in its turn among piped lines.
  const monitor = (line: string) => {
    const [cmd, ...args] = line.slice(1).trim().split(/\s+/);
    if (cmd === "help") say(HELP);
    else if (cmd === "ps") say(kernelPs(m));
    else if (cmd === "journal") {
      if (args.length !== 1 || args[0] === "") say("usage: :journal PATH");
      else say(saveJournal(args[0]));
    } else if (cmd === "quit") {
      quit = true;
      waker.wake();
    } else say(`unknown monitor command ':${line.slice(1)}' (try :help)`);
  };
  const saveJournal = (path: string): string => {
    writer.flush();
    try {
      Deno.writeFileSync(path, Deno.readFileSync(journalPath));
      Deno.writeFileSync(path, writer.stopFrame(), { append: true });
    } catch (e) {
      return `:journal: cannot write ${path}: ${hostErrorText(e)}`;
    }
    return `journal saved to ${path} (${m.steps} steps)`;
  };
  rl.on("line", (line: string) => {
    if (tty) {
      addHistory("history", line);
      // A monitor command's answer comes with the machine's prompt again below it.
      if (line.startsWith(":")) return monitor(line);
      // The prompt went out with the line; what the machine writes next starts afresh.
      screen.partial = "";
      rl.setPrompt("");
    }
    queue.push(line);
    waker.wake();
  });

  transcript(
    `dv6: ${header.ncpu} cpus, ${r.hz} ticks/s; journal ${journalPath}; :help for help\n`,
  );
  // The host's clock ticks from here, whatever the machine does.
  const clock = new HostClock(r.hz);
  for (;;) {
    // Type what a reader may read: piped monitor lines in their turn, then the next line.
    if (!typist.typing && m.consoleReaderWaits()) {
      while (queue.length > 0 && queue[0].startsWith(":")) monitor(queue.shift()!);
      if (queue.length > 0) typist.line(queue.shift()!);
    }
    typist.typeInto(m);
    if (quit || m.end !== null) break;
    // Input that ended leaves once everything typed was read (a script's end, as ^D).
    if (inputEnded && queue.length === 0 && !typist.typing && m.consoleReaderWaits()) break;
    m.hostTyping = typist.typing || queue.length > 0;
    clock.tick(m);
    m.run(SLICE_STEPS);
    flush();
    if (m.end !== null) break;
    if (m.stall === "steps") {
      await yieldToHost(); // let keys and lines in
      continue;
    }
    if (typist.typing || (queue.length > 0 && m.consoleReaderWaits())) continue;
    // Nothing runs before the next tick, or input. Piped input that ended, with nothing that
    // waits for a tick, ends the session: nothing would ever run again.
    if (inputEnded && m.stall === "input") break;
    writer.flush();
    await waker.sleep(clock.untilNext());
  }
  flush();
  const end = m.end ?? m.stop();
  sink.close();
  // The host's prompt starts on a line of its own.
  if (tty) {
    transcript("\n"); // after the prompt readline shows
    Deno.stdin.setRaw(false);
  } else if (!atLineStart) transcript("\n");
  rl.close();
  Deno.removeSignalListener("SIGINT", ctrlC);
  if (end.kind === "panic" || end.kind === "deadlock") reportCrash(end, journalPath);
  for (const w of injector?.report(m) ?? []) console.error(w);
  return exitStatus(end);
}
