// deno task build:web [DIR]: the page as a static site (default dist/): index.html, style.css,
// the page's and the worker's bundles (deno bundle --platform browser, with web/import_map.json
// mapping the kernel's node:zlib to web/zlib.ts), xterm's stylesheet. No server logic: any
// static host serves it, and the machine runs in the browser.

import { buildId } from "../shell/host.ts";

const WEB = new URL("./", import.meta.url);
const ROOT = new URL("../", import.meta.url);

/** The host APIs a browser bundle must not use: Deno's namespace, node: modules. */
export function hostApis(js: string): string[] {
  const found: string[] = [];
  if (/\bDeno\./.test(js)) found.push("Deno.");
  for (const m of js.matchAll(/(?:from|import|require)\s*\(?\s*["'](node:[\w/]+)["']/g)) {
    found.push(m[1]);
  }
  return found;
}

/** Builds the site into `outDir`; throws if a bundle fails or uses a host API. */
export async function buildWeb(outDir: string): Promise<void> {
  await Deno.mkdir(outDir, { recursive: true });
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      "--minify",
      "--import-map",
      new URL("import_map.json", WEB).pathname,
      "--outdir",
      outDir,
      new URL("page.ts", WEB).pathname,
      new URL("worker.ts", WEB).pathname,
    ],
    cwd: new URL(".", ROOT).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!bundle.success) {
    throw new Error(`deno bundle failed:\n${new TextDecoder().decode(bundle.stderr)}`);
  }
  for (const js of ["page.js", "worker.js"]) {
    const apis = hostApis(await Deno.readTextFile(`${outDir}/${js}`));
    if (apis.length > 0) throw new Error(`${js} uses host APIs: ${apis.join(", ")}`);
  }
  const html = await Deno.readTextFile(new URL("index.html", WEB));
  await Deno.writeTextFile(`${outDir}/index.html`, html.replace("{{BUILD}}", await buildId()));
  await Deno.copyFile(new URL("style.css", WEB), `${outDir}/style.css`);
}

if (import.meta.main) {
  const out = Deno.args[0] ?? new URL("dist", ROOT).pathname;
  try {
    await buildWeb(out);
  } catch (e) {
    console.error(`build:web: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
  console.log(`build:web: ${out}`);
}
