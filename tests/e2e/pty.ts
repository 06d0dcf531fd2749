// A person at a terminal: tests/e2e/pty_driver.py plays a script of keys and expectations against a
// command in a pseudo-terminal (Deno has no pty API). Shared by the end-to-end REPL tests and
// the REPL benchmark.

const DRIVER = new URL("./pty_driver.py", import.meta.url).pathname;

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
