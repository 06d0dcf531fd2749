// A person at a terminal: tests/pty_driver.py plays a script of keys and expectations against a
// command in a pseudo-terminal (Deno has no pty API). Shared by the end-to-end REPL tests and
// the REPL benchmark.

const DRIVER = new URL("./pty_driver.py", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export type PtyAction =
  | { send: string }
  | { expect: string; timeout?: number }
  | { mark: true }
  | { quiet: number }
  | { exit: number };

export interface PtyResult {
  /** One per action played; the first that failed is the last. */
  results: { ok: boolean; ms: number; bytes: number }[];
  /** The screen text: the output without escape sequences and carriage returns. */
  output: string;
  /** The command's exit status, if it ended. */
  status: number | null;
}

/** Is there a python3 to drive a pseudo-terminal? */
export const HAVE_PTY = (() => {
  try {
    return new Deno.Command("python3", { args: ["-c", "import pty"] }).outputSync().success;
  } catch {
    return false;
  }
})();

/** The permission flags of `deno task start` (deno.json): what a user's dv6 runs with. */
export const START_FLAGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  const task: string = config.tasks.start;
  const words = task.split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") {
    throw new Error(`the start task is not 'deno run FLAGS main.ts': ${task}`);
  }
  return words.slice(2, -1);
})();

/** `main.ts ARGS` run as `deno task start` runs it, with its permission flags. */
export function dv6Command(args: string[] = []): string[] {
  return [Deno.execPath(), "run", ...START_FLAGS, MAIN, ...args];
}

/** Plays `actions` against `cmd` in a pseudo-terminal. */
export async function playPty(
  cmd: string[],
  actions: PtyAction[],
  env: Record<string, string> = {},
): Promise<PtyResult> {
  const child = new Deno.Command("python3", {
    args: [DRIVER, ...cmd],
    env: { TERM: "xterm", NO_COLOR: "1", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(actions)));
  await w.close();
  const { stdout, stderr, success } = await child.output();
  if (!success) throw new Error(`pty driver failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}
