import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  buildModel,
  type IncludeResolver,
  loadConfig,
  type Reader,
  resolvePath,
  toIpxe,
  urlType,
} from "@pxe/pxelinux-cfg";
import type { Command } from "commander";

/** Options of {@link runConvert}. */
export interface ConvertOptions {
  /** TFTP root that relative names and INCLUDEs resolve against (default: the current directory). */
  root?: string;
  /** HTTP URL standing for the TFTP root. */
  baseUrl: string;
  /** DHCP option 210 (path prefix), relative to the root; default: none (the TFTP root). */
  pathPrefix?: string;
  /** Force a reader instead of picking one from UI/DEFAULT. */
  reader?: string;
}

/** Where output goes (injectable for tests). */
export interface ConvertIo {
  out(s: string): void;
  err(s: string): void;
}

const stdio: ConvertIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** Reads files under `root` as a TFTP server rooted there would (no escaping the root). */
export function rootResolver(
  root: string,
  entry?: { name: string; file: string },
): IncludeResolver {
  const base = path.resolve(root);
  return async (p) => {
    if (entry && p.name === entry.name) return (await readFile(entry.file)).toString("latin1");
    if (p.kind !== "tftp" || p.server !== undefined) return undefined;
    const file = path.resolve(base, `.${path.posix.sep}${p.path.replace(/^\/+/, "")}`);
    if (file !== base && !file.startsWith(base + path.sep)) return undefined;
    try {
      return (await readFile(file)).toString("latin1");
    } catch (e) {
      if (
        (e as NodeJS.ErrnoException).code === "ENOENT" ||
        (e as NodeJS.ErrnoException).code === "EISDIR"
      )
        return undefined;
      throw e;
    }
  };
}

/**
 * Converts the PXELINUX config `config` (and what it INCLUDEs) to an iPXE script printed on
 * `io.out`; diagnostics and conversion notes go to `io.err`. Returns the exit code: 2 when the
 * config cannot be read or an option is bad, 1 when the config has an error-level diagnostic,
 * else 0.
 */
export async function runConvert(
  config: string,
  opts: ConvertOptions,
  io: ConvertIo = stdio,
): Promise<number> {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(opts.baseUrl)) {
    io.err(
      `pxe convert: --base-url must be a URL such as http://10.0.0.1/tftp/ (got ${JSON.stringify(opts.baseUrl)})\n`,
    );
    return 2;
  }
  if (
    opts.reader !== undefined &&
    opts.reader !== "core" &&
    opts.reader !== "menu" &&
    opts.reader !== "auto"
  ) {
    io.err(`pxe convert: --reader must be core, menu or auto\n`);
    return 2;
  }
  const root = path.resolve(opts.root ?? ".");
  const file = path.resolve(config);
  const rel = path.relative(root, file);
  const inside = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  const prefix = opts.pathPrefix ?? "";
  const cwd = urlType(prefix) === "suffix" ? `::${prefix}` : prefix;
  // Inside the root the config has its TFTP name; outside, it is read from where it is.
  const entryName = inside ? `::${rel.split(path.sep).join("/")}` : `::${file}`;
  try {
    await readFile(file);
  } catch (e) {
    io.err(`pxe convert: cannot read ${config}: ${(e as Error).message}\n`);
    return 2;
  }
  const entry = { name: resolvePath(entryName, cwd).name, file };
  const loaded = await loadConfig(entryName, rootResolver(root, entry), { cwd });
  const reader = (opts.reader ?? "auto") as Reader | "auto";
  const model = buildModel(loaded, { reader });
  let code = 0;
  for (const d of model.diagnostics) {
    if (d.severity === "info") continue;
    if (d.severity === "error") code = 1;
    const where = d.file === entry.name ? config : d.file.replace(/^::/, "");
    io.err(`${where}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`);
  }
  const res = toIpxe(model, { baseUrl: opts.baseUrl });
  for (const n of res.notes)
    io.err(
      `pxe convert: ${n.severity}: ${n.label !== undefined ? `${n.label}: ` : ""}${n.message}\n`,
    );
  io.out(res.script);
  return code;
}

/** `pxe convert CONFIG [--root DIR] --base-url URL` */
export function registerConvert(program: Command): void {
  program
    .command("convert")
    .description(
      "convert a PXELINUX/SYSLINUX config (with its INCLUDEs) to an iPXE script on stdout",
    )
    .argument("<config>", "the PXELINUX config, e.g. /srv/tftp/pxelinux.cfg/default")
    .requiredOption(
      "--base-url <url>",
      "HTTP URL that serves the TFTP root, e.g. http://10.0.0.1/tftp/",
    )
    .option(
      "--root <dir>",
      "TFTP root for relative names and INCLUDEs (default: the current directory)",
    )
    .option("--path-prefix <prefix>", "PXELINUX path prefix (DHCP option 210), default none")
    .option(
      "--reader <reader>",
      "core, menu or auto (pick by the config's UI/DEFAULT lines)",
      "auto",
    )
    .action(
      async (
        config: string,
        o: { baseUrl: string; root?: string; pathPrefix?: string; reader?: string },
      ) => {
        const opts: ConvertOptions = { baseUrl: o.baseUrl };
        if (o.root !== undefined) opts.root = o.root;
        if (o.pathPrefix !== undefined) opts.pathPrefix = o.pathPrefix;
        if (o.reader !== undefined) opts.reader = o.reader;
        process.exitCode = await runConvert(config, opts);
      },
    );
}
