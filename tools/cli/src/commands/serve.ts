import type { Command } from "commander";
import { resolveServeOptions, ServeConfigError, type ServeFlags } from "../serve/config.js";
import { startServe } from "../serve/server.js";

/**
 * `pxe serve`: DHCP (full or proxy) + PXE boot server (4011) + TFTP + HTTP in one process,
 * chainloading PXE ROMs into iPXE and handing iPXE a script generated per client. With no
 * arguments: the built-in root on TFTP and HTTP on 127.0.0.1, DHCP off. Exit 2 on bad flags or
 * when a port cannot be bound; runs until SIGINT/SIGTERM.
 */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("network boot server: DHCP or proxyDHCP, TFTP and HTTP, chainloading into iPXE")
    .option(
      "--root <dir>",
      "folder to serve (default: built-in root: Debian's iPXE binaries + a generated menu)",
    )
    .option("--interface <if>", "interface whose address and subnet are served (needed for DHCP)")
    .option("--address <ip>", "address to serve on (default: the interface's, else 127.0.0.1)")
    .option(
      "--range <start-end[/prefix]>",
      "full DHCP: hand out addresses START-END (leases kept in --lease-file); /PREFIX: a subnet behind a DHCP relay",
    )
    .option(
      "--proxy",
      "proxyDHCP: answer PXE clients only (67 + 4011), beside an existing DHCP server",
    )
    .option("--http-port <n>", "HTTP port (default 8080)")
    .option("--tftp-port <n>", "TFTP port (default 69 as root, else 6969)")
    .option("--no-tftp", "do not serve TFTP")
    .option(
      "--no-http",
      "do not serve HTTP: iPXE then gets its script, kernel and initrd over TFTP",
    )
    .option(
      "--script <file>",
      "hand iPXE clients this iPXE script as it is (instead of the generated menu)",
    )
    .option(
      "--http-base-url <url>",
      "where generated scripts fetch kernels and initrds (default: this server)",
    )
    .option(
      "--append <args>",
      "kernel command line added by the generated menu (e.g. console=ttyS0)",
    )
    .option("--lease-file <file>", "full DHCP lease file (default ./pxe-serve.leases.json)")
    .option("--router <ip>", "full DHCP: router option (default: none)")
    .option("--dns <ip,...>", "full DHCP: DNS servers option (default: none)")
    .option(
      "--ipxe-proxy-wait",
      "full DHCP: let iPXE wait ~3 s for ProxyDHCP offers (default: tell it not to)",
    )
    .option(
      "--ipv6-ra",
      "answer IPv6 router solicitations (radvd: lifetime 0, no prefix) so iPXE skips its ~13 s IPv6 wait; NOT safe on a network with IPv6 routers",
    )
    .option(
      "--uefi-program <file>",
      "x86-64 UEFI boot program (default: snponly.efi, else ipxe.efi; the root's before Debian's)",
    )
    .option(
      "--uefi-discovery",
      "full DHCP: let UEFI PXE clients ask port 4011 for the file (default: boot the offer's file at once)",
    )
    .option("--config <file>", "JSON file with the same settings (flag names as keys); flags win")
    .action(async (flags: ServeFlags) => {
      const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
      let opts: ReturnType<typeof resolveServeOptions>;
      try {
        opts = resolveServeOptions(flags, isRoot);
      } catch (e) {
        if (e instanceof ServeConfigError) {
          process.stderr.write(`pxe serve: ${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
      let handle: Awaited<ReturnType<typeof startServe>>;
      try {
        handle = await startServe(opts);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const hint =
          err.code === "EACCES"
            ? " (ports below 1024 need root)"
            : err.code === "EADDRINUSE"
              ? " (port in use)"
              : "";
        process.stderr.write(`pxe serve: cannot start: ${err.message}${hint}\n`);
        process.exitCode = 2;
        return;
      }
      if (opts.dhcp === "off" && handle.httpUrl !== undefined) {
        const tftp =
          handle.ports.tftp === undefined
            ? ""
            : ` and tftp://${opts.address}:${handle.ports.tftp}/`;
        process.stderr.write(
          [
            `pxe serve: serving ${opts.root ?? "the built-in root"} on ${handle.httpUrl}/${tftp} (DHCP off${isRoot ? "" : ", not root: unprivileged ports"})`,
            "next:",
            `  try it:   curl ${handle.httpUrl}/boot.ipxe`,
            `  boot a VM (qemu's own DHCP hands it the script):`,
            `            qemu-system-x86_64 -m 512 -boot n -nographic -netdev user,id=n0,bootfile=${handle.httpUrl.replace("127.0.0.1", "10.0.2.2")}/boot.ipxe -device e1000,netdev=n0`,
            "  a real network: add --interface IF and --proxy (beside your DHCP server) or --range START-END (as root)",
            "",
          ].join("\n"),
        );
      }
      await new Promise<void>((res) => {
        const stop = () => res();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await handle.close();
    });
}
