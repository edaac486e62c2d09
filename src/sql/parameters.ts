import { ExitCode, TamarinError } from "../errors.js";

/** Values bound to named parameters, keyed by name without `:`, `@` or `$`. */
export type Parameters = Record<string, string | bigint>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLAIN_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * Parses `--param name=value` options into parameters for SQLite to bind.
 * A plain decimal integer that fits in 64 bits (`404` or `-1`, but not
 * `007` or `1.5`) is bound as an INTEGER. Any other value is bound as TEXT. Integers matter
 * where SQLite applies no column affinity, as in `count(*) > :n`, because
 * there an INTEGER never equals TEXT. A column comparison such as
 * `http_status = :status` converts either way.
 */
export function parseParameters(options: readonly string[]): Parameters {
  const parameters: Parameters = {};
  for (const option of options) {
    const separator = option.indexOf("=");
    const name = separator < 0 ? option : option.slice(0, separator);
    if (separator < 0 || !NAME.test(name)) {
      throw new TamarinError(
        `invalid --param "${option}": expected name=value, where the name is letters, digits and _ and the SQL refers to it as :name, @name or $name`,
        ExitCode.Usage,
      );
    }
    if (name in parameters) {
      throw new TamarinError(
        `--param ${name} is given twice: pass each parameter once`,
        ExitCode.Usage,
      );
    }
    parameters[name] = bindValue(option.slice(separator + 1));
  }
  return parameters;
}

const MIN_INTEGER = -(2n ** 63n);
const MAX_INTEGER = 2n ** 63n - 1n;

// better-sqlite3 binds a JavaScript number as REAL and a bigint as INTEGER.
function bindValue(text: string): string | bigint {
  if (!PLAIN_INTEGER.test(text)) return text;
  const integer = BigInt(text);
  return integer >= MIN_INTEGER && integer <= MAX_INTEGER ? integer : text;
}
