/** The @pxe/udp-batch addon for the bench peers; exits 3 (the row then fails) when it is unavailable. */
import type { DatagramBatch } from "@pxe/tftp/node";

export async function requireBatch(who: string): Promise<DatagramBatch> {
  const { loadUdpBatch, unavailableReason } = await import("@pxe/udp-batch");
  const batch = loadUdpBatch();
  if (!batch) {
    console.error(`${who}: @pxe/udp-batch unavailable (${unavailableReason()})`);
    process.exit(3);
  }
  return batch;
}
