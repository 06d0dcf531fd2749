import { buildId } from "../shell/host.ts";

// The benchmarks' figures as one table: a section title is a row with no value; numbers are
// grouped in thousands, ratios given to three places.

/** [label, value, note]; a section title has an empty value and note. */
export type Row = [string, string, string];

/** Rows being written: section titles, and figures indented under them. */
export class Table {
  readonly rows: Row[] = [];

  section(title: string): void {
    this.rows.push([title, "", ""]);
  }

  row(label: string, value: string, note = ""): void {
    this.rows.push(["  " + label, value, note]);
  }
}

export function num(x: number, digits = 0): string {
  return x.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function ratio(x: number): string {
  return x >= 0.1 ? x.toFixed(3) : x.toPrecision(3);
}

export function printRows(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) {
    if (b === "" && c === "") console.log(a);
    else console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd());
  }
}

/** A benchmark file run on its own: `deno run -A bench/NAME.ts [--quick]`. */
/** Peak host memory (RSS, bytes) of a command run to its end (its stdout dropped, DV6_HOME
 * `home`): the process's maximum resident set, as the kernel counts it for a child (python3's
 * getrusage), or null without python3. Fails unless the command exits 0. */
export async function peakRss(argv: string[], home: string): Promise<number | null> {
  const py = "import resource, subprocess, sys\n" +
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n" +
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n";
  try {
    const { stdout } = await new Deno.Command("python3", {
      args: ["-c", py, ...argv],
      env: { DV6_HOME: home },
      stdout: "piped",
    }).output();
    const [code, kb] = new TextDecoder().decode(stdout).trim().split(" ").map(Number);
    if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}`);
    return kb * 1024;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

export async function runAlone(
  name: string,
  args: string[],
  figures: (quick: boolean, tmp: string, build: string) => Promise<Row[]>,
  heading: (quick: boolean) => string,
): Promise<void> {
  const quick = args.includes("--quick");
  const unknown = args.filter((a) => a !== "--quick");
  if (unknown.length > 0) throw new Error(`usage: bench/${name}.ts [--quick] (not ${unknown})`);
  const build = await buildId();
  const tmp = await Deno.makeTempDir({ prefix: `dv6-bench-${name}-` });
  const started = performance.now();
  try {
    const rows = await figures(quick, tmp, build);
    console.log(
      `${heading(quick)}; deno ${Deno.version.deno}, v8 ${Deno.version.v8}; build ${build}`,
    );
    printRows(rows);
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
