// The benchmarks' figures as one table: a section title is a row with no value; numbers are
// grouped in thousands, ratios given to three places.

/** [label, value, note]; a section title has an empty value and note. */
export type Row = [string, string, string];

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
