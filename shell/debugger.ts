// The debugger's commands over a Timeline (shell/timetravel.ts): moving, breakpoints, and the
// looks around (ps, cpus, locks...). It prints through a callback and touches no host, so
// dv6 debug (shell/debug.ts) and the page's worker (web/worker.ts) run the same commands.

import { EV, inspect, type Machine } from "../kernel/machine.ts";
import { SYS, SYSNAME } from "../kernel/uapi/syscall.ts";
import { describeEvent, stepEvent, stepLine } from "./log.ts";
import {
  type LiveTest,
  type Pause,
  type RecordTest,
  searchIndex,
  type StepTest,
  type Timeline,
} from "./timetravel.ts";

/** A command the debugger cannot do: its message, and in a batch, status 2. */
export class DebugError extends Error {}

interface Breakpoint {
  id: number;
  /** Made by `watch` (a value), not `break`. */
  watch?: boolean;
  /** How `breaks` shows it. */
  what: string;
  /** A test of the step's record (searched in the index, both ways). */
  record?: RecordTest;
  /** Console output that comes to contain this text. */
  output?: string;
  /** The recorded end: a panic or a deadlock. */
  end?: "panic" | "deadlock";
  /** A value of the machine's state: it stops where the value changes (or where `changed`
   * says it changed in the way that matters). */
  value?: (m: Machine) => string | null;
  changed?: (before: string | null, after: string | null) => boolean;
}

export const HELP = `Moving (steps count from 1; step 0 is the machine as it booted):
  goto STEP | goto end | goto tick T   (g)  go to a step
  step [N]                             (s)  N steps forward (default 1)
  back [N]                             (b)  N steps back (default 1)
  next [--pid P | --cpu C]             (n)  to the next step of that process or CPU
                                            (default: of the current step's process)
  continue                             (c)  to the next step where a breakpoint stops
  reverse-continue                     (rc) to the previous one
  when                                      where this is: step, tick, CPU, process
Breakpoints:
  break syscall NAME [--pid P] | break lock NAME | break exit [PID] | break kill
  break output TEXT | break sem ID[.N] | break panic | break deadlock
  watch sem ID.N | watch pipe N | watch proc PID   (stop where the value changes)
  breaks                                    list them
  delete N                                  remove breakpoint N
Looking (the machine after the current step):
  ps, cpus, locks, sems, files PID, pipes, uart, console [N], history PID [N],
  why PID, log [N]
help, quit (q)`;

export const COMMANDS = [
  "goto",
  "step",
  "back",
  "next",
  "continue",
  "reverse-continue",
  "when",
  "break",
  "watch",
  "breaks",
  "delete",
  "ps",
  "cpus",
  "locks",
  "sems",
  "files",
  "pipes",
  "uart",
  "console",
  "history",
  "why",
  "log",
  "help",
  "quit",
];
const SHORT: Record<string, string> = {
  g: "goto",
  s: "step",
  b: "back",
  n: "next",
  c: "continue",
  rc: "reverse-continue",
  q: "quit",
};

const fmt = (n: number) => n.toLocaleString("en-US");

export class Debugger {
  private readonly breaks: Breakpoint[] = [];
  private nextBreak = 1;
  /** Set by quit. */
  done = false;

  constructor(readonly tl: Timeline, private readonly print: (line: string) => void) {}

  /** Where the debugger stands, as it says it on opening and after each move. */
  where(): string {
    const tl = this.tl, m = tl.machine;
    const head = `step ${fmt(tl.step)} of ${fmt(tl.total)}, tick ${m.ticks}`;
    if (tl.step === 0) return `${head} (the machine as it booted)`;
    return `${head}: ${this.stepText(tl.step)}`;
  }

  // A step's record, as `dv6 log` describes it, with the process's name.
  private stepText(step: number): string {
    const [s] = this.tl.index.steps(step, step);
    if (s === undefined) return "";
    return `cpu${s.r.cpu} ${this.name(s.r.pid)}: ${stepEvent(s.r)}`;
  }

  private name(pid: number): string {
    return pid === 0 ? "scheduler" : inspect.who(this.tl.machine, pid);
  }

  /** Where the commands that move let the host in (see Pause): a batch goes straight on. */
  pause: Pause = () => Promise.resolve();

  /** Runs one command line. Throws DebugError for a bad one, Interrupted at a Ctrl-C. */
  async run(line: string): Promise<void> {
    const words = splitWords(line);
    if (words.length === 0) return;
    const [word, ...args] = words;
    const cmd = SHORT[word] ?? word;
    const tl = this.tl;
    switch (cmd) {
      case "goto":
        return await this.goto(args);
      case "step":
        return await this.move(tl.step + count(args, "step"));
      case "back":
        return await this.move(tl.step - count(args, "back"));
      case "next":
        return await this.next(args);
      case "continue":
        return await this.continue(1);
      case "reverse-continue":
        return await this.continue(-1);
      case "when":
        return this.print(this.when());
      case "break":
      case "watch":
        return this.addBreak(cmd, args);
      case "breaks":
        if (this.breaks.length === 0) return this.print("no breakpoints");
        for (const b of this.breaks) this.print(`${b.id}  ${b.what}`);
        return;
      case "delete": {
        const id = number(args[0], "delete N");
        const i = this.breaks.findIndex((b) => b.id === id);
        if (i < 0) throw new DebugError(`no breakpoint ${id}`);
        this.breaks.splice(i, 1);
        return;
      }
      case "ps":
        return this.lines(inspect.ps(tl.machine));
      case "cpus":
        return this.lines(inspect.cpus(tl.machine));
      case "locks":
        return this.lines(inspect.locks(tl.machine));
      case "sems":
        return this.lines(inspect.sems(tl.machine));
      case "files":
        return this.lines(inspect.files(tl.machine, number(args[0], "files PID")));
      case "pipes":
        return this.lines(inspect.pipes(tl.machine));
      case "uart":
        return this.lines(inspect.uart(tl.machine));
      case "console":
        return this.console(args.length === 0 ? 10 : number(args[0], "console [N]"));
      case "history":
        return this.history(
          number(args[0], "history PID [N]"),
          args.length > 1 ? number(args[1], "history PID [N]") : Infinity,
        );
      case "why":
        return this.lines(inspect.why(tl.machine, number(args[0], "why PID")));
      case "log":
        return this.log(args.length === 0 ? 10 : number(args[0], "log [N]"));
      case "help":
        return this.print(HELP);
      case "quit":
        this.done = true;
        return;
    }
    throw new DebugError(`unknown command '${word}' (type help for the commands)`);
  }

  private lines(lines: string[]): void {
    for (const l of lines) this.print(l);
  }

  private when(): string {
    const tl = this.tl, m = tl.machine;
    if (tl.step === 0) return `step 0 of ${fmt(tl.total)}, tick 0: no step taken yet`;
    const [s] = tl.index.steps(tl.step, tl.step);
    return `step ${fmt(tl.step)} of ${fmt(tl.total)}, tick ${m.ticks}, cpu ${s.r.cpu}, ` +
      `${s.r.pid === 0 ? "its scheduler" : this.name(s.r.pid)}`;
  }

  private async goto(args: string[]): Promise<void> {
    if (args[0] === "end") return await this.move(this.tl.total);
    if (args[0] === "tick") {
      const t = number(args[1], "goto tick T");
      const known = this.tl.stepOfTick(t);
      if (known !== null) return await this.move(known);
      // Not reached yet: run forward until the clock reads T.
      await this.tl.goto(this.tl.knownUpTo, this.pause);
      await this.tl.runUntil(this.tl.total, { start() {}, test: (m) => m.ticks >= t }, this.pause);
      if (this.tl.machine.ticks < t) this.print(`the clock never reads ${t} ticks`);
      return this.print(this.where());
    }
    return await this.move(number(args[0], "goto STEP"));
  }

  private async move(target: number): Promise<void> {
    if (target < 0 || target > this.tl.total) {
      this.print(`(step ${fmt(target)} is outside the journal: 0 to ${fmt(this.tl.total)})`);
    }
    const why = await this.tl.goto(target, this.pause);
    this.print(this.where());
    // The re-run could not reach it: the journal is damaged or does not match this build.
    if (why !== null) throw new DebugError(why);
  }

  private async next(args: string[]): Promise<void> {
    const tl = this.tl, i = tl.index;
    let test: RecordTest;
    if (args[0] === "--pid") {
      const pid = number(args[1], "next --pid P");
      test = (i, s) => i.pid[s] === pid && i.kind[s] !== EV.WFI;
    } else if (args[0] === "--cpu") {
      const cpu = number(args[1], "next --cpu C");
      test = (i, s) => i.cpu[s] === cpu;
    } else if (args.length === 0) {
      const pid = tl.step === 0 ? -1 : i.pid[tl.step];
      test = pid <= 0 ? () => true : (i, s) => i.pid[s] === pid;
    } else throw new DebugError("usage: next [--pid P | --cpu C]");
    const to = searchIndex(i, tl.step, 1, test);
    if (to === null) return this.print("no such step after this one");
    await this.move(to);
  }

  private addBreak(kind: "break" | "watch", args: string[]): void {
    const b = kind === "break" ? this.breakpoint(args) : this.watchpoint(args);
    this.breaks.push(b);
    this.print(`${kind === "break" ? "breakpoint" : "watch"} ${b.id}: ${b.what}`);
  }

  private breakpoint(args: string[]): Breakpoint {
    const id = this.nextBreak++;
    const [what, arg] = args;
    const i = this.tl.index;
    switch (what) {
      case "syscall": {
        const n = SYSNAME.indexOf(arg ?? "");
        if (arg === undefined || n < 1) {
          this.nextBreak--;
          throw new DebugError(`break syscall: no system call '${arg ?? ""}'`);
        }
        let pid: number | undefined;
        if (args[2] === "--pid") pid = number(args[3], "break syscall NAME --pid P");
        return {
          id,
          what: `syscall ${arg}${pid === undefined ? "" : ` --pid ${pid}`}`,
          record: (i, s) =>
            i.kind[s] === EV.SYSCALL && i.arg[s] === n && (pid === undefined || i.pid[s] === pid),
        };
      }
      case "lock": {
        if (arg === undefined) throw new DebugError("usage: break lock NAME");
        const label = i.labelId(arg);
        return {
          id,
          what: `lock ${arg}`,
          record: (i, s) => i.kind[s] === EV.ACQUIRE && i.arg[s] === label,
        };
      }
      case "exit": {
        // Where a process becomes a zombie (not every exit has a record: returning from
        // main enters exit() without one).
        const pid = arg === undefined ? undefined : number(arg, "break exit [PID]");
        return {
          id,
          what: `exit${pid === undefined ? "" : ` ${pid}`}`,
          value: (m) => inspect.zombies(m),
          changed: (before, after) => {
            const was = new Set((before ?? "").split(" "));
            return (after ?? "").split(" ").some((z) =>
              z !== "" && !was.has(z) && (pid === undefined || z === String(pid))
            );
          },
        };
      }
      case "kill": // a kill() returns, or a kill injected with --inject lands
        return {
          id,
          what: "kill",
          record: (i, s) =>
            i.kind[s] === EV.SYSCALL && i.arg[s] === SYS.kill || i.injectedKills.has(s),
        };
      case "output": {
        const text = args.slice(1).join(" ");
        if (text === "") throw new DebugError("usage: break output TEXT");
        return { id, what: `output ${JSON.stringify(text)}`, output: text };
      }
      case "sem": {
        const [set, num] = semId(arg, "break sem ID[.N]");
        return {
          id,
          what: `sem ${arg}`,
          value: (m) => inspect.semValue(m, set, num),
        };
      }
      case "panic":
      case "deadlock":
        return { id, what, end: what };
    }
    this.nextBreak--;
    throw new DebugError(
      "usage: break syscall NAME [--pid P] | lock NAME | exit [PID] | kill | output TEXT |" +
        " sem ID[.N] | panic | deadlock",
    );
  }

  private watchpoint(args: string[]): Breakpoint {
    const [what, arg] = args;
    let value: (m: Machine) => string | null;
    if (what === "sem") {
      const [set, num] = semId(arg, "watch sem ID.N");
      if (num === undefined) throw new DebugError("usage: watch sem ID.N");
      value = (m) => inspect.semValue(m, set, num);
    } else if (what === "pipe") {
      const n = number(arg, "watch pipe N");
      value = (m) => inspect.pipeFill(m, n);
    } else if (what === "proc") {
      const pid = number(arg, "watch proc PID");
      value = (m) => inspect.procState(m, pid);
    } else throw new DebugError("usage: watch sem ID.N | watch pipe N | watch proc PID");
    return { id: this.nextBreak++, watch: true, what: `${what} ${arg}`, value };
  }

  // continue (dir 1) and reverse-continue (dir -1): the nearest step in that direction where
  // a breakpoint stops. Records and known output are searched without running; values, and
  // output not yet seen, by running a machine over the steps in between.
  private async continue(dir: 1 | -1): Promise<void> {
    if (this.breaks.length === 0) throw new DebugError("no breakpoints (see help: break, watch)");
    const tl = this.tl, here = tl.step;
    let best: number | null = null;
    const closer = (s: number | null) => {
      if (s !== null && (best === null || (dir > 0 ? s < best : s > best))) best = s;
    };
    for (const b of this.breaks) {
      if (b.record) closer(searchIndex(tl.index, here, dir, b.record));
      if (b.end && tl.index.end?.kind === b.end && dir > 0 && here < tl.total) closer(tl.total);
      if (b.output) {
        const s = tl.outputHit(b.output, dir, here);
        closer(s !== null && s > tl.knownUpTo ? null : s);
      }
    }
    let fired = new Set<number>();
    const live = this.liveTest(dir, fired);
    if (dir > 0) {
      const limit: number = best ?? tl.total;
      if (live !== null) await tl.runUntil(limit, live, this.pause);
      else await tl.goto(limit, this.pause);
      if (fired.size === 0 && tl.step !== best) {
        this.print(`no breakpoint stops after step ${fmt(here)}`);
        return this.print(this.where());
      }
    } else {
      const from: number = best ?? 0;
      const hit = live !== null && here - 1 > from
        ? await tl.lastHit(from, here - 1, live, this.pause)
        : null;
      if (hit !== null) best = hit, fired = live!.firedAt(hit);
      else fired.clear();
      if (best === null) return this.print(`no breakpoint stops before step ${fmt(here)}`);
      await tl.goto(best, this.pause);
    }
    this.reportStop(fired);
  }

  // The breakpoints that need the machine, as one test (null: none do); `fired` gets the ids
  // of those that stopped at the last step tested. Going forward, output not seen yet is
  // tested as it comes.
  private liveTest(
    dir: 1 | -1,
    fired: Set<number>,
  ): (LiveTest & { firedAt(step: number): Set<number> }) | null {
    const values = this.breaks.filter((b) => b.value !== undefined);
    const outputs = dir > 0 ? this.breaks.filter((b) => b.output !== undefined) : [];
    if (values.length === 0 && outputs.length === 0) return null;
    const tl = this.tl;
    let last: (string | null)[] = [];
    let lastHit = { step: -1, ids: new Set<number>() }; // the last step it stopped at
    const test: StepTest = (m, step) => {
      fired.clear();
      values.forEach((b, i) => {
        const v = b.value!(m);
        if (b.changed ? b.changed(last[i], v) : v !== last[i]) fired.add(b.id);
        last[i] = v;
      });
      for (const b of outputs) {
        if (step >= tl.knownUpTo && tl.outputHit(b.output!, -1, step + 1) === step) fired.add(b.id);
      }
      if (fired.size > 0) lastHit = { step, ids: new Set(fired) };
      return fired.size > 0;
    };
    return {
      start: (m) => last = values.map((b) => b.value!(m)),
      test,
      firedAt: (step) => step === lastHit.step ? lastHit.ids : new Set(),
    };
  }

  // After a continue: which breakpoints stop here (`fired`: the values that changed in the
  // step), and where this is.
  private reportStop(fired: Set<number>): void {
    const tl = this.tl, s = tl.step;
    const names = this.breaks.filter((b) =>
      b.record?.(tl.index, s) || (b.end !== undefined && s === tl.total) ||
      (b.output !== undefined && tl.outputHit(b.output, -1, s + 1) === s) || fired.has(b.id)
    ).map((b) =>
      `${b.watch ? "watch" : "breakpoint"} ${b.id} (${b.what})` +
      (b.value !== undefined && b.changed === undefined
        ? ` = ${b.value(tl.machine) ?? "gone"}`
        : "")
    );
    if (names.length > 0) this.print(names.join(", "));
    if (s === tl.total && tl.index.end !== null && tl.index.end.kind !== "halt") {
      this.print(`the recording ends here: ${tl.index.end.kind}`);
    }
    this.print(this.where());
  }

  private console(n: number): void {
    const lines = this.tl.console().split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    this.lines(lines.slice(-n));
  }

  private history(pid: number, n: number): void {
    const tl = this.tl, i = tl.index;
    const steps: number[] = [];
    for (let s = 1; s <= tl.step; s++) {
      if (i.pid[s] === pid && (i.kind[s] === EV.SYSCALL || i.kind[s] === EV.EXIT)) steps.push(s);
    }
    const shown = steps.slice(Math.max(0, steps.length - n));
    if (shown.length === 0) {
      return this.print(`pid ${pid} has made no system call by step ${fmt(tl.step)}`);
    }
    const want = new Set(shown);
    for (const { step, r } of i.steps(shown[0], shown[shown.length - 1])) {
      if (want.has(step)) this.print(`${String(step).padStart(9)}  ${describeEvent(r.ev)}`);
    }
  }

  private log(n: number): void {
    const tl = this.tl, here = tl.step;
    const from = Math.max(1, here - Math.floor((n - 1) / 2)); // this step in the middle
    for (const { step, r } of tl.index.steps(from, from + n - 1)) {
      const line = stepLine(step, r, tl.index.nameAt(r.pid, step));
      this.print(step === here ? "=>" + line.slice(2) : line);
    }
  }
}

/** A whole number from a command's argument, or a DebugError with the command's usage. */
function number(word: string | undefined, usage: string): number {
  const w = word?.replaceAll(",", "").replaceAll("_", "");
  if (w === undefined || !/^\d+$/.test(w)) throw new DebugError(`usage: ${usage}`);
  return Number(w);
}

function count(args: string[], cmd: string): number {
  return args.length === 0 ? 1 : number(args[0], `${cmd} [N]`);
}

function semId(arg: string | undefined, usage: string): [number, number | undefined] {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(arg ?? "");
  if (m === null) throw new DebugError(`usage: ${usage}`);
  return [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])];
}

/** A command line's words; "double quotes" keep spaces in one word. */
function splitWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** A batch's commands: separated by `;`, except inside double quotes. */
export function splitCommands(text: string): string[] {
  return [...text.matchAll(/(?:"[^"]*"|[^;"])+/g)].map((m) => m[0].trim()).filter((c) => c !== "");
}
