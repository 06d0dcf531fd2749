// dv6 debug LOG: a debugger over a journal. Every step is a place to go and look around: the
// machine there is the machine's own state after that step, re-executed and verified against
// the journal (shell/timetravel.ts). Interactive, with the REPL's line editor, or a batch of
// commands (-x "CMD; CMD"): it prints what they print and exits, 0, or 2 at a bad command.
import { createInterface } from "node:readline";
import process from "node:process";
import type { JournalReader } from "../kernel/journal.ts";
import { Interrupted, Timeline } from "./timetravel.ts";
import { COMMANDS, DebugError, Debugger, splitCommands } from "./debugger.ts";
import { EXIT_USAGE } from "./status.ts";
import { addHistory, HISTORY_LINES, readHistory } from "./host.ts";

export { DebugError, Debugger } from "./debugger.ts";

const fmt = (n: number) => n.toLocaleString("en-US");

/** The debugger's line history, in dv6's data directory (the REPL's is `history`). */
const HISTORY_FILE = "debug-history";

/** dv6 debug LOG [-x CMDS]. */
export async function debugJournal(reader: JournalReader, commands?: string): Promise<number> {
  const tl = new Timeline(reader);
  if (tl.index.broken !== null) {
    console.error(`dv6 debug: the journal breaks after step ${fmt(tl.total)}: ${tl.index.broken}`);
  }
  const out: string[] = [];
  const print = (line: string) => {
    out.push(line);
    if (out.length >= 256) flush();
  };
  const flush = () => {
    if (out.length > 0) console.log(out.join("\n"));
    out.length = 0;
  };
  const d = new Debugger(tl, print);
  print(d.where());
  if (commands !== undefined) {
    for (const c of splitCommands(commands)) {
      try {
        await d.run(c);
      } catch (e) {
        if (!(e instanceof DebugError)) throw e;
        flush();
        console.error(`dv6 debug: ${c}: ${e.message}`);
        return EXIT_USAGE;
      }
      if (d.done) break;
    }
    flush();
    return 0;
  }
  flush();
  return await interactive(d, flush);
}

// The interactive debugger: the REPL's line editor (history, completion of the commands), and
// between commands, idle time spent readying machines behind the current step.
async function interactive(
  d: Debugger,
  flush: () => void,
): Promise<number> {
  const tty = Deno.stdin.isTerminal();
  const rl = createInterface({
    input: process.stdin,
    output: tty ? process.stdout : undefined,
    prompt: "(dv6) ",
    terminal: tty,
    history: tty ? readHistory(HISTORY_FILE) : [],
    historySize: HISTORY_LINES,
    // Tab completes the command's name (the first word), with the space bash adds.
    completer: (line: string): [string[], string] => {
      if (/\s/.test(line.trimStart())) return [[], line];
      const word = line.trimStart();
      return [COMMANDS.filter((c) => c.startsWith(word)).map((c) => c + " "), word];
    },
  });
  return await new Promise<number>((resolve) => {
    let idle: ReturnType<typeof setTimeout> | undefined;
    const prepare = () => {
      idle = undefined;
      if (d.tl.prepare(20_000)) idle = setTimeout(prepare, 0);
    };
    // A command that moves runs in slices (see Pause): between them, keys are read, and a
    // Ctrl-C stops it where it got. Lines typed meanwhile wait their turn.
    let busy = false, interrupted = false;
    const queue: string[] = [];
    d.pause = async () => {
      await new Promise((r) => setTimeout(r, 0));
      if (interrupted) throw new Interrupted();
    };
    const runLines = async () => {
      busy = true;
      clearTimeout(idle);
      for (let line = queue.shift(); line !== undefined; line = queue.shift()) {
        interrupted = false;
        try {
          await d.run(line);
        } catch (e) {
          flush();
          if (e instanceof Interrupted) {
            queue.length = 0; // what was typed ahead was typed for where it was going
            console.log(`interrupted: ${d.where()}`);
          } else if (e instanceof DebugError) console.error(e.message);
          else throw e;
        }
        flush();
        if (d.done) return rl.close();
        rl.prompt();
      }
      busy = false;
      idle = setTimeout(prepare, 0);
    };
    rl.on("line", (line: string) => {
      if (tty) addHistory(HISTORY_FILE, line);
      queue.push(line);
      if (!busy) void runLines();
    });
    // ^C stops a command that runs; at the prompt it drops the line being typed, as a shell's
    // does (gdb's prints Quit).
    rl.on("SIGINT", () => {
      if (busy) {
        interrupted = true;
        return;
      }
      process.stdout.write("^C\n");
      rl.write(null, { ctrl: true, name: "u" });
      rl.prompt();
    });
    rl.on("close", () => {
      clearTimeout(idle);
      resolve(0);
    });
    rl.prompt();
    idle = setTimeout(prepare, 0);
  });
}
