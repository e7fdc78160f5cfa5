/** Structured one-line logs (logfmt: `key=value` pairs, values quoted when needed). */

/** A value a log field can take. */
export type LogValue = string | number | boolean | undefined;

/** Where log lines go (tests pass an array's push). */
export type LogSink = (line: string) => void;

function fmt(v: LogValue): string {
  const s = String(v);
  return /^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s);
}

/** A logger writing one `ts=... ev=... k=v ...` line per event; undefined fields are left out. */
export class Logger {
  constructor(private readonly sink: LogSink) {}
  /** Logs one event. */
  log(ev: string, fields: Record<string, LogValue> = {}): void {
    let line = `ts=${new Date().toISOString()} ev=${ev}`;
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${fmt(v)}`;
    this.sink(line);
  }
}
