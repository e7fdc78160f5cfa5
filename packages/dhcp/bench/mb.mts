import { Bench } from "tinybench";
import { DhcpView, decodeMessage } from "../dist/index.js";
import { DHCP_PORTS, readUdp } from "../test/pcap.js";
const d = readUdp("/work/shared/captures/public/danderson__netboot__dhcp4__testdata__dhcp.pcap").filter((x) => DHCP_PORTS.has(x.dstPort))[0]!.payload.slice();
const v0 = new DhcpView(d);
console.log(v0.entryCount, [...Array(v0.entryCount).keys()].map(i => [v0.entryKind(i), v0.entryCode(i), v0.entryLength(i)]));
let s = 0;
const b = new Bench({ time: 1500 });
b.add("ctor", () => { s += new DhcpView(d).op; })
 .add("ctor+scan", () => { const v = new DhcpView(d); v.scan(); s += v.entryCount; })
 .add("ctor+53", () => { s += new DhcpView(d).messageType!; })
 .add("ctor+53+93", () => { const v = new DhcpView(d); s += v.messageType! + v.u16(93)!; })
 .add("ctor+get97", () => { const v = new DhcpView(d); s += v.get(97)!.length; })
 .add("subarray", () => { s += d.subarray(10, 20).length; })
 .add("decode", () => { s += decodeMessage(d).options.size; });
await b.run();
for (const t of b.tasks) console.log(t.name, ((t.result as any).latency.p50 * 1e6).toFixed(0));
