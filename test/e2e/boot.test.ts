/**
 * End-to-end smoke boots (issue 9): a qemu VM (software emulation) PXE-boots against `pxe serve`
 * inside a network namespace this test creates (test/e2e/boot-vm.sh), until the guest kernel's
 * initrd prints its marker on the serial console. Two cases in the default run:
 *   - BIOS: SeaBIOS + qemu's iPXE ROM, full DHCP from `pxe serve`, script + kernel over HTTP;
 *   - UEFI: OVMF's own PXE behind proxyDHCP (dnsmasq hands out the address): EDK2 asks port
 *     4011, loads iPXE's EFI build (snponly.efi) over TFTP, then iPXE gets its script and kernel over HTTP.
 * The full matrix (and the comparison with dnsmasq) is test/e2e/boot-all.sh.
 * Needs root, /dev/net/tun and the Debian packages test/e2e/setup.sh installs (run here first when
 * root); otherwise the cases skip and say why.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = resolve(import.meta.dirname);
const bootVm = join(here, "boot-vm.sh");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const onLinux = process.platform === "linux";

function check(env: Record<string, string>): string | undefined {
  if (!onLinux) return "not Linux (network namespaces)";
  if (!isRoot) return "not root (network namespaces, taps)";
  const r = spawnSync("bash", [bootVm, "--check"], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return r.status === 0
    ? undefined
    : r.stdout.trim() || r.stderr.trim() || `check exited ${r.status}`;
}

if (onLinux && isRoot) {
  // Installs what is missing (qemu, ipxe-qemu, ipxe, ovmf, dnsmasq, kea; Debian's kernel and a
  // static busybox unpacked into a cache): a no-op when everything is there.
  const r = spawnSync("bash", [join(here, "setup.sh")], { encoding: "utf8", timeout: 900_000 });
  process.stderr.write(r.stdout);
}

const BIOS = { FIRMWARE: "bios", MODE: "http", SERVER: "pxe", NIC: "e1000" };
const UEFI = {
  FIRMWARE: "uefi",
  MODE: "proxy",
  SERVER: "pxe",
  PLAIN_DHCP: "dnsmasq",
  NIC: "virtio-net-pci",
};
const skipBios = check(BIOS);
const skipUefi = check(UEFI);
if (skipBios) console.warn(`e2e BIOS boot skipped: ${skipBios}`);
if (skipUefi) console.warn(`e2e UEFI boot skipped: ${skipUefi}`);

let out = "";
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "pxe-e2e-out-"));
});
afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

function boot(env: Record<string, string>, name: string) {
  const r = spawnSync("bash", [bootVm], {
    env: { ...process.env, ...env, NAME: name, E2E_OUT: out, TIMEOUT: "200" },
    encoding: "utf8",
    timeout: 280_000,
  });
  const result = /E2E-RESULT .*/.exec(r.stdout)?.[0] ?? "";
  const log = (f: string) => {
    try {
      return readFileSync(join(out, `${name}.${f}.log`), "utf8");
    } catch {
      return "";
    }
  };
  if (r.status !== 0) process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
  else process.stderr.write(`${result}\n`);
  return { status: r.status, result, server: log("server"), serial: log("serial") };
}

describe("pxe serve boots a VM (qemu -accel tcg, in a network namespace)", () => {
  it.skipIf(skipBios !== undefined)(
    "BIOS: iPXE ROM, full DHCP (range + lease file), generated script + kernel + initrd over HTTP",
    () => {
      const b = boot(BIOS, "smoke-bios-http");
      expect(b.result).toMatch(/ok=1/);
      expect(b.status).toBe(0);
      // the chain the server saw: DHCP from iPXE (class ipxe-bios), then the script and files by HTTP
      expect(b.server).toMatch(/ev=dhcp .*class=ipxe-bios-x86 .*msg=DISCOVER .*reply=OFFER/);
      expect(b.server).toMatch(/ev=dhcp .*msg=REQUEST .*reply=ACK .*yiaddr=10\.88\.0\.1\d\d/);
      expect(b.server).toMatch(/ev=http .*path=\/boot\.ipxe status=200/);
      expect(b.server).toMatch(/ev=http .*path=\/vmlinuz status=200 bytes=[1-9]/);
      expect(b.serial).toContain("pxe-kit: booting vmlinuz");
    },
    300_000,
  );

  it.skipIf(skipUefi !== undefined)(
    "UEFI: OVMF's PXE behind proxyDHCP -> 4011 -> snponly.efi over TFTP -> iPXE -> HTTP",
    () => {
      const b = boot(UEFI, "smoke-uefi-proxy");
      expect(b.result).toMatch(/ok=1/);
      expect(b.status).toBe(0);
      expect(b.server).toMatch(/ev=dhcp .*class=pxe-uefi-x86_64 .*msg=DISCOVER .*reply=OFFER/);
      expect(b.server).toMatch(/ev=dhcp .*via=4011 .*file=snponly\.efi reply=ACK/);
      expect(b.server).toMatch(/ev=tftp .*file=snponly\.efi ok=true bytes=[1-9]/);
      expect(b.server).toMatch(/ev=dhcp .*class=ipxe-uefi-x86_64 .*msg=DISCOVER .*reply=OFFER/);
      expect(b.server).toMatch(/ev=http .*path=\/vmlinuz status=200/);
      // proxy mode never hands out addresses: no yiaddr in any of our replies
      expect(b.server).not.toMatch(/ev=dhcp .*yiaddr=/);
    },
    300_000,
  );
});
