// The host side of a machine: the build id, journal files, buffered console output (boot
// options to a machine are shell/boot.ts's, host-free, re-exported here). Everything that
// touches the host for a machine lives here or in main.ts; the kernel only sees a sink and an
// output function.

import { JournalError, type Sink } from "../kernel/journal.ts";

export { type BootOptions, concat, headerFor, machineFrom } from "./boot.ts";
import { concat } from "./boot.ts";

const SOURCE_DIRS = ["kernel/", "commands/", "shell/"];

/** The .ts files under `dir` (a folder of the repository, ending in /), sorted. */
function sourceFiles(root: URL, dir: string): string[] {
  const files: string[] = [];
  for (const e of Deno.readDirSync(new URL(dir, root))) {
    if (e.isDirectory) files.push(...sourceFiles(root, `${dir}${e.name}/`));
    else if (e.isFile && e.name.endsWith(".ts")) files.push(dir + e.name);
  }
  return files.sort();
}

/** A hash of the kernel's, the programs' and the host side's sources: journals say which
 * build made them. */
export async function buildId(): Promise<string> {
  const root = new URL("../", import.meta.url);
  const parts: string[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(root, dir)) {
      parts.push(`${file}\n`, Deno.readTextFileSync(new URL(file, root)));
    }
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("")));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** A journal file, written as the run goes. */
export class FileSink implements Sink {
  private readonly file: Deno.FsFile;
  constructor(readonly path: string) {
    try {
      this.file = Deno.openSync(path, { write: true, create: true, truncate: true });
    } catch (e) {
      throw new JournalError(`cannot write the journal ${path}: ${hostErrorText(e)}`);
    }
  }
  write(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += this.file.writeSync(bytes.subarray(off));
  }
  close(): void {
    this.file.close();
  }
}

/** Why a host operation failed, in the operating system's words: "No such file or
 * directory", without Deno's "(os error 2): open '...'" tail (the caller names the path). */
export function hostErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/ \(os error \d+\).*$/s, "");
}

/** Console output to a host stream, buffered: programs write a byte at a time. */
export class Output {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  /** Does the output so far end with a newline (or is it empty)? */
  atLineStart = true;
  constructor(private readonly out: { writeSync(p: Uint8Array): number } = Deno.stdout) {}

  readonly write = (b: Uint8Array): void => {
    this.chunks.push(b);
    this.bytes += b.length;
    if (b.length > 0) this.atLineStart = b[b.length - 1] === 0x0a;
    if (this.bytes >= 1 << 16) this.flush();
  };

  flush(): void {
    if (this.bytes === 0) return;
    const all = concat(this.chunks);
    this.chunks = [];
    this.bytes = 0;
    for (let done = 0; done < all.length;) done += this.out.writeSync(all.subarray(done));
  }
}

/** dv6's own files (session journals, crash logs, REPL history): $DV6_HOME, or the XDG data
 * directory. */
export function dataDir(): string {
  const env = Deno.env.get("DV6_HOME");
  if (env) return env;
  const xdg = Deno.env.get("XDG_DATA_HOME") ?? `${Deno.env.get("HOME") ?? "."}/.local/share`;
  return `${xdg}/dv6`;
}

/** Lines a line editor keeps in its history file. */
export const HISTORY_LINES = 1000;

/** A line editor's history (the REPL's `history`, the debugger's `debug-history` in the data
 * directory), newest first as readline takes it; none if the file cannot be read. */
export function readHistory(name: string): string[] {
  try {
    return Deno.readTextFileSync(`${dataDir()}/${name}`).split("\n").filter((l) => l !== "")
      .slice(-HISTORY_LINES).reverse();
  } catch {
    return [];
  }
}

/** Adds a line to a history file (not a blank one; a history that cannot be written is lost
 * quietly: it is a convenience). */
export function addHistory(name: string, line: string): void {
  if (line.trim() === "") return;
  try {
    Deno.mkdirSync(dataDir(), { recursive: true });
    Deno.writeTextFileSync(`${dataDir()}/${name}`, line + "\n", { append: true });
  } catch {
    // the line stays in this session's history only
  }
}

/** A fresh file name in the data directory, e.g. crash-20261125-171500-1.log. */
export function dataFile(prefix: string): string {
  const dir = dataDir();
  Deno.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  // The name is claimed by creating the file (O_EXCL): two dv6 processes started in the same
  // second never get the same one.
  for (let i = 1;; i++) {
    const path = `${dir}/${prefix}-${stamp}-${i}.log`;
    try {
      Deno.openSync(path, { write: true, createNew: true }).close();
      return path;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
}
