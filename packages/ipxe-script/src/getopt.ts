/**
 * iPXE's option parsing (`src/core/getopt.c` + `src/core/parseopt.c`) applied statically to the
 * words of a command: no permutation, `--` ends options, bundled short options, `--opt=value`,
 * integers with base auto-detection.
 *
 * @module
 */
import type { CommandInfo, OptionInfo } from "./commands.js";
import type { WordToken } from "./syntax.js";

/** One option found on a command line. */
export interface ParsedOption {
  /** The descriptor, or undefined for `-h`/`--help` and dynamic words. */
  readonly info: OptionInfo | undefined;
  /** Long name (`timeout`), `help`, or the raw text for a dynamic option word. */
  readonly name: string;
  /** The option's argument text (logical, unexpanded), when it takes one. */
  readonly value: string | undefined;
  /** Parsed integer for `int`/`timeout`/`key` options with a literal value. */
  readonly number: number | undefined;
  /** The word that named the option. */
  readonly word: WordToken;
  /** The word that carried the value when separate from `word`. */
  readonly valueWord: WordToken | undefined;
}

/** A problem iPXE would report when parsing this command's options or arguments. */
export interface GetoptProblem {
  readonly code:
    | "unknown-option"
    | "option-requires-argument"
    | "option-takes-no-argument"
    | "bad-integer"
    | "missing-argument"
    | "too-many-arguments";
  readonly message: string;
  readonly word: WordToken | undefined;
}

/** Result of {@link getopt}. */
export interface GetoptResult {
  readonly options: ParsedOption[];
  /** Positional arguments (after options and any `--`). */
  readonly args: WordToken[];
  readonly problems: GetoptProblem[];
}

const INT_RE = /^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/**
 * Parses an unsigned integer as `strtoul(text, &end, 0)` with the whole text consumed, as
 * `parse_integer()` does: `0x` prefix = hex, a leading `0` = octal (`05000` = 2560).
 * Returns undefined when iPXE would reject it.
 */
export function parseIpxeInteger(text: string): number | undefined {
  if (!INT_RE.test(text)) return undefined;
  if (text.length > 1 && (text[1] === "x" || text[1] === "X"))
    return Number.parseInt(text.slice(2), 16);
  if (text.length > 1 && text[0] === "0") return Number.parseInt(text, 8);
  return Number.parseInt(text, 10);
}

/** `parse_key()`: one character is taken literally, otherwise an integer. */
export function parseIpxeKey(text: string): number | undefined {
  if (text.length === 1) return text.charCodeAt(0);
  return parseIpxeInteger(text);
}

function checkValue(opt: OptionInfo, value: string, dynamic: boolean): number | undefined | "bad" {
  if (dynamic) return undefined;
  if (opt.arg === "int" || opt.arg === "timeout") return parseIpxeInteger(value) ?? "bad";
  if (opt.arg === "key") return parseIpxeKey(value) ?? "bad";
  return undefined;
}

/** An option entry without a value: flags, `-h`/`--help`, dynamic words, missing arguments. */
function bareOption(info: OptionInfo | undefined, name: string, word: WordToken): ParsedOption {
  return { info, name, value: undefined, number: undefined, word, valueWord: undefined };
}

/** The entry for an option whose required argument is missing, reporting the problem. */
function missingArgument(
  info: CommandInfo,
  opt: OptionInfo,
  word: WordToken,
  dash: string,
  flag: string,
  problems: GetoptProblem[],
): ParsedOption {
  problems.push({
    code: "option-requires-argument",
    message: `${info.name}: option "${dash}${flag}" requires an argument`,
    word,
  });
  return bareOption(opt, opt.long, word);
}

/**
 * An option entry with a value, checking the value as iPXE would (`dash` + `flag` spell the option
 * as written, `--name` or `-c`, for the problem message).
 */
function valuedOption(
  info: CommandInfo,
  opt: OptionInfo,
  value: string,
  dynamic: boolean,
  word: WordToken,
  valueWord: WordToken | undefined,
  dash: string,
  flag: string,
  problems: GetoptProblem[],
): ParsedOption {
  const num = checkValue(opt, value, dynamic);
  if (num === "bad")
    problems.push({
      code: "bad-integer",
      message: `${info.name}: "${value}" is not a valid ${opt.arg === "key" ? "key" : "integer"} for ${dash}${flag}`,
      word: valueWord ?? word,
    });
  return {
    info: opt,
    name: opt.long,
    value,
    number: num === "bad" ? undefined : num,
    word,
    valueWord,
  };
}

/**
 * The problem iPXE reports for a wrong number of positional arguments.
 *
 * @internal
 */
export function arityProblem(
  info: CommandInfo,
  code: "missing-argument" | "too-many-arguments",
  word: WordToken | undefined,
): GetoptProblem {
  return code === "missing-argument"
    ? {
        code,
        message: `${info.name}: missing argument (usage: ${info.name} ${info.usage})`.trimEnd(),
        word,
      }
    : {
        code,
        message: `${info.name}: too many arguments (usage: ${info.name} ${info.usage})`,
        word,
      };
}

/**
 * Splits `words` (the arguments after the command name) into options and positional arguments
 * according to the command's descriptors, collecting the problems iPXE would report.
 *
 * @param from - Index of the first argument in `words` (default 0): pass 1 to hand over a whole
 *   segment's words, command name included, without copying them.
 */
export function getopt(info: CommandInfo, words: readonly WordToken[], from = 0): GetoptResult {
  const options: ParsedOption[] = [];
  const problems: GetoptProblem[] = [];
  let i = from;
  if (info.parsesOptions) {
    while (i < words.length) {
      const w = words[i] as WordToken;
      const v = w.value;
      if (v.length < 2 || v.charCodeAt(0) !== 45 /* - */) {
        if (v === "-") {
          problems.push({
            code: "unknown-option",
            message: `a lone "-" is not an option`,
            word: w,
          });
          i++;
          continue;
        }
        break;
      }
      i++;
      if (v === "--") break;
      if (v.startsWith("--")) {
        const eq = v.indexOf("=");
        const name = eq >= 0 ? v.slice(2, eq) : v.slice(2);
        if (name.includes("${")) {
          options.push(bareOption(undefined, v, w));
          continue;
        }
        if (name === "help") {
          options.push(bareOption(undefined, "help", w));
          continue;
        }
        const opt = info.options.find((o) => o.long === name);
        if (!opt) {
          problems.push({
            code: "unknown-option",
            message: `${info.name}: unrecognised option "--${name}"`,
            word: w,
          });
          continue;
        }
        if (opt.arg === "none") {
          if (eq >= 0)
            problems.push({
              code: "option-takes-no-argument",
              message: `${info.name}: option "--${name}" takes no argument`,
              word: w,
            });
          options.push(bareOption(opt, opt.long, w));
          continue;
        }
        let value: string;
        let valueWord: WordToken | undefined;
        let dynamic: boolean;
        if (eq >= 0) {
          value = v.slice(eq + 1);
          dynamic = value.includes("${") && w.dynamic;
        } else {
          const nw = words[i];
          if (!nw || (nw.value.startsWith("-") && nw.value.length > 0)) {
            options.push(missingArgument(info, opt, w, "--", name, problems));
            continue;
          }
          i++;
          value = nw.value;
          valueWord = nw;
          dynamic = nw.dynamic;
        }
        options.push(valuedOption(info, opt, value, dynamic, w, valueWord, "--", name, problems));
        continue;
      }
      // Short options, possibly bundled.
      if (w.dynamic) {
        options.push(bareOption(undefined, v, w));
        continue;
      }
      for (let k = 1; k < v.length; k++) {
        const ch = v[k] as string;
        if (ch === "h") {
          options.push(bareOption(undefined, "help", w));
          continue;
        }
        const opt = info.options.find((o) => o.short === ch);
        if (!opt) {
          problems.push({
            code: "unknown-option",
            message: `${info.name}: invalid option "-${ch}"`,
            word: w,
          });
          continue;
        }
        if (opt.arg === "none") {
          options.push(bareOption(opt, opt.long, w));
          continue;
        }
        let value: string;
        let valueWord: WordToken | undefined;
        let dynamic = false;
        if (k + 1 < v.length) {
          value = v.slice(k + 1);
        } else {
          const nw = words[i];
          if (!nw || nw.value.startsWith("-")) {
            options.push(missingArgument(info, opt, w, "-", ch, problems));
            break;
          }
          i++;
          value = nw.value;
          valueWord = nw;
          dynamic = nw.dynamic;
        }
        options.push(valuedOption(info, opt, value, dynamic, w, valueWord, "-", ch, problems));
        break;
      }
    }
  }
  const args = words.slice(i);
  if (args.length < info.minArgs) problems.push(arityProblem(info, "missing-argument", undefined));
  else if (args.length > info.maxArgs)
    problems.push(arityProblem(info, "too-many-arguments", args[info.maxArgs]));
  // Exact-size copy: a pushed-to array keeps 17 slots, and every command's options are kept.
  return { options: options.length > 0 ? options.slice() : options, args, problems };
}
