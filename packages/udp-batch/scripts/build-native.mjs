#!/usr/bin/env node
/**
 * Compiles src/udp_batch.c into build/udp_batch.node with the system C compiler ($CC, else cc)
 * against the running Node's own headers (<prefix>/include/node, or $npm_config_nodedir/include/node),
 * so it needs no network (node-gyp would download headers it cannot find). Linux only
 * (sendmmsg/recvmmsg). With --optional a failure is reported and exits 0: the package then loads
 * as "unavailable" and callers keep plain dgram.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const optional = process.argv.includes("--optional");
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src/udp_batch.c");
const out = path.join(root, "build/udp_batch.node");

function give(msg) {
  console.error(`@pxe/udp-batch: ${msg}`);
  process.exit(optional ? 0 : 1);
}

if (process.platform !== "linux")
  give(`not built: sendmmsg/recvmmsg are Linux-only (this is ${process.platform})`);
if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) process.exit(0);
const candidates = [
  process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, "include/node"),
  path.resolve(path.dirname(process.execPath), "../include/node"),
  "/usr/include/node",
].filter(Boolean);
const include = candidates.find((d) => existsSync(path.join(d, "node_api.h")));
if (!include) give(`not built: Node's headers (node_api.h) not found in ${candidates.join(", ")}`);
const cc = process.env.CC || "cc";
mkdirSync(path.dirname(out), { recursive: true });
try {
  execFileSync(
    cc,
    ["-O2", "-Wall", "-Wextra", "-shared", "-fPIC", `-I${include}`, "-o", out, src],
    {
      stdio: "inherit",
    },
  );
} catch (e) {
  give(`not built: ${cc} failed (${e instanceof Error ? e.message : String(e)})`);
}
