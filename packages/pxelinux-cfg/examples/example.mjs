// The README example. Run: pnpm --filter @pxe/pxelinux-cfg run example [TFTP-ROOT]
import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildModel, configLookupOrder, loadConfig, parse, print, toIpxe } from "@pxe/pxelinux-cfg";

// 1. Which files PXELINUX tries for this client (DHCP file "/tftpboot/pxelinux.0", no 209/210).
const { candidates } = configLookupOrder({
  mac: "88:99:aa:bb:cc:dd",
  ip: "192.168.2.91",
  bootFile: "/tftpboot/pxelinux.0",
});
console.log(candidates.map((c) => c.resolved.name));
// [ '::/tftpboot/pxelinux.cfg/01-88-99-aa-bb-cc-dd', '::/tftpboot/pxelinux.cfg/C0A8025B', ...,
//   '::/tftpboot/pxelinux.cfg/C', '::/tftpboot/pxelinux.cfg/default' ]

// 2. The lossless tree: print(parse(text)) === text, for any text.
const text = "LABEL linux\r\n\tKERNEL vmlinuz\r\n  APPEND quiet  \n";
console.log(print(parse(text)) === text); // true

// 3. Load a config and its INCLUDEs through any async resolver (here: a directory as TFTP root).
const root = process.argv[2] ?? "/srv/tftp";
const resolver = async (p) => {
  if (p.kind !== "tftp" || p.server !== undefined) return undefined; // URLs, other servers: not here
  try {
    return await readFile(path.join(root, p.path), "latin1");
  } catch {
    return undefined; // missing: syslinux skips it, the model reports a warning
  }
};
const loaded = await loadConfig("pxelinux.cfg/default", resolver);
const model = buildModel(loaded); // reader picked from UI / DEFAULT
console.log(
  model.reader,
  model.root.title,
  model.labels.map((l) => [l.label, l.commandLine]),
);
for (const d of model.diagnostics)
  console.log(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);

// 4. Migrate to iPXE, kernels and initrds over HTTP.
const { script, notes } = toIpxe(model, { baseUrl: "http://10.0.0.1/tftp/" });
console.log(script, notes);
