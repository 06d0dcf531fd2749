// The REPL: the host terminal attached to the machine's console. Lines are edited on the host
// (node:readline: history, tab completion of programs and paths of the simulated file system)
// and typed into the UART when the machine waits for console input. The clock follows real
// time (--hz ticks per second). Lines starting with ':' are monitor commands for the host.
// Every session is journaled, so a panic or a hang met by hand leaves a crash log to replay.

import * as readline from "node:readline";
import process from "node:process";
import { JournalWriter } from "../kernel/journal.ts";
import type { Machine } from "../kernel/machine.ts";
import { TICK_CYCLES } from "../kernel/param.ts";
import { STATE_NAMES, UNUSED } from "../kernel/proc.ts";
import { T_DIR } from "../kernel/sysnum.ts";
import {
  type BootOptions,
  buildId,
  dataDir,
  dataFile,
  FileSink,
  headerFor,
  machineFrom,
} from "./host.ts";
import { consoleReader, Typist } from "./session.ts";

export const HISTORY_LINES = 1000;
const KEEP_SESSIONS = 5;
const SLICE_MS = 10;

const HELP = `monitor commands (the machine never sees these lines):
  :help          this list
  :ps            the process table as the kernel sees it
  :journal PATH  save the journal so far (replay it with: dv6 replay PATH)
  :quit          stop the machine and leave dv6
Ctrl-C is ^C at the console (it stops the foreground command); Ctrl-P prints the process
list; Ctrl-D on an empty line leaves dv6, as :quit does.`;

export interface ReplOptions {
  journal?: string;
  hz: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

// Programs in /bin and paths of the simulated file system, relative to the shell's cwd.
function completer(m: Machine, line: string): [string[], string] {
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
    .filter((n) => n.startsWith(word));
  return [names, word];
}

function loadHistory(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l !== "").slice(-HISTORY_LINES)
      .reverse();
  } catch {
    return [];
  }
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

export async function repl(o: BootOptions, r: ReplOptions): Promise<number> {
  const tty = Deno.stdin.isTerminal();
  const header = headerFor({ ...o, initArgv: ["init"] }, await buildId());
  const journalPath = r.journal ?? dataFile("session");
  if (r.journal === undefined) pruneSessions();
  const sink = new FileSink(journalPath);
  const writer = new JournalWriter(sink, header);
  let atLineStart = true;
  const write = (s: string) => {
    if (s === "") return;
    Deno.stdout.writeSync(encoder.encode(s));
    atLineStart = s.endsWith("\n");
  };
  // The monitor's own lines start on a line of their own; without a terminal, the machine's
  // partial line (its prompt) is shown again after them.
  let partial = "";
  const say = (s: string) => {
    write((atLineStart || tty ? "" : "\n") + s + "\n");
    if (!tty) write(partial);
  };

  // Console output: at a terminal, complete lines go out at once and the partial last line (the
  // prompt) goes to readline as its prompt, so that line editing redraws it; without one, all
  // of it goes out as it comes (a transcript, echo included).
  let tail = "";
  const m = machineFrom(header, writer, (bytes, echo) => {
    if (!tty) {
      // A transcript, echo included.
      const text = decoder.decode(bytes, { stream: true });
      const nl = text.lastIndexOf("\n");
      partial = nl < 0 ? partial + text : text.slice(nl + 1);
      return write(text);
    }
    if (echo) return; // readline already shows what was typed
    const text = tail + decoder.decode(bytes, { stream: true });
    const nl = text.lastIndexOf("\n");
    if (nl >= 0) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
      write(text.slice(0, nl + 1));
      tail = text.slice(nl + 1);
      rl.prompt(true);
    } else tail = text;
  });

  const historyPath = `${dataDir()}/history`;
  const rl = readline.createInterface({
    input: process.stdin,
    output: tty ? process.stdout : undefined,
    terminal: tty,
    prompt: "",
    history: tty ? loadHistory(historyPath) : [],
    historySize: HISTORY_LINES,
    completer: (line: string) => completer(m, line),
  });
  const queue: string[] = [];
  const typist = new Typist();
  let inputEnded = false;
  let quit = false;
  const ctrlC = () => m.input(Uint8Array.of(3));
  rl.on("SIGINT", ctrlC);
  if (!tty) Deno.addSignalListener("SIGINT", ctrlC);
  rl.on("close", () => inputEnded = true);
  // A monitor command runs when it is typed at a terminal, or in its turn among piped lines.
  const monitor = (line: string) => {
    const [cmd, arg] = line.slice(1).trim().split(/\s+/, 2);
    if (cmd === "help") say(HELP);
    else if (cmd === "ps") say(kernelPs(m));
    else if (cmd === "journal" && arg) {
      writer.flush();
      Deno.writeFileSync(arg, Deno.readFileSync(journalPath));
      Deno.writeFileSync(arg, writer.stopFrame(), { append: true });
      say(`journal saved to ${arg} (${m.steps} steps)`);
    } else if (cmd === "quit") quit = true;
    else say(`unknown monitor command ':${line.slice(1)}' (try :help)`);
    if (tty) rl.prompt(true);
  };
  rl.on("line", (line: string) => {
    // The prompt went out with the line; what the machine writes next starts afresh.
    tail = "";
    rl.setPrompt("");
    if (tty && line.trim() !== "") {
      Deno.writeTextFileSync(historyPath, line + "\n", { append: true });
    }
    if (tty && line.startsWith(":")) monitor(line);
    else queue.push(line);
  });

  write(`dv6: ${header.ncpu} cpus, ${r.hz} ticks/s; journal ${journalPath}; :help for help\n`);
  // The clock follows real time from here; while the machine waits for input it stands still.
  let t0 = performance.now(), base = m.cycles;
  while (m.end === null && !quit) {
    const limit = base + ((performance.now() - t0) * r.hz * TICK_CYCLES) / 1000;
    m.run(200_000, limit);
    if (m.end !== null) break;
    if (m.stall === "input") {
      t0 = performance.now();
      base = m.cycles;
      while (queue.length > 0 && queue[0].startsWith(":")) monitor(queue.shift()!);
      if (quit) break;
      if (!typist.typing && queue.length > 0 && consoleReader(m)) typist.line(queue.shift()!);
      if (typist.typeInto(m)) continue;
      else if (inputEnded && queue.length === 0) break;
      else {
        if (tty && tail !== "") {
          rl.setPrompt(tail);
          rl.prompt(true);
        }
        writer.flush();
      }
    }
    if (m.stall !== "steps") await new Promise((ok) => setTimeout(ok, SLICE_MS));
  }
  if (!atLineStart) write("\n");
  const end = m.end ?? m.stop();
  sink.close();
  rl.close();
  if (!tty) Deno.removeSignalListener("SIGINT", ctrlC);
  if (end.kind === "panic" || end.kind === "deadlock") {
    write(
      `\ndv6: ${end.kind === "panic" ? "kernel panic" : "deadlock"}; crash log: ${journalPath}\n`,
    );
    return end.kind === "panic" ? 3 : 4;
  }
  return end.kind === "halt" ? end.status & 0xff : 0;
}
