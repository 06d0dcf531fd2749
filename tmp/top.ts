const f = Deno.args[0];
const p = JSON.parse(Deno.readTextFileSync(f));
const self = new Map<number, number>();
const dt = p.timeDeltas as number[];
p.samples.forEach((s: number, i: number) => self.set(s, (self.get(s) ?? 0) + (dt[i] ?? 0)));
const agg = new Map<string, number>();
for (const n of p.nodes) {
  const k = `${n.callFrame.functionName || "(anon)"} ${
    n.callFrame.url.split("/").slice(-2).join("/")
  }:${n.callFrame.lineNumber}`;
  agg.set(k, (agg.get(k) ?? 0) + (self.get(n.id) ?? 0));
}
const tot = [...agg.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log((v / 1000).toFixed(0).padStart(6), (100 * v / tot).toFixed(1).padStart(5), k);
}
