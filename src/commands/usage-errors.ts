/**
 * The command lines of Tamarin's commands, by command path, as usage
 * errors show them.
 */
const USAGE: Readonly<Record<string, string>> = {
  import: "tamarin import <path...>",
  pull: "tamarin pull [--once]",
  status: "tamarin status",
  query: 'tamarin query "<SQL>"',
  export: "tamarin export [--format csv|tsv|json|ndjson] [--output <file>]",
  schema: "tamarin schema",
  buckets: "tamarin buckets add|list|remove|enable|disable",
  "buckets add": "tamarin buckets add <name> [--log-bucket <bucket>]",
  "buckets list": "tamarin buckets list",
  "buckets remove": "tamarin buckets remove <name>",
  "buckets enable": "tamarin buckets enable <name>",
  "buckets disable": "tamarin buckets disable <name>",
};

const COMMANDS = Object.keys(USAGE).filter((path) => !path.includes(" "));

// Global options that take a value, which may follow as the next argument.
const VALUE_OPTIONS = new Set(["--db", "--config"]);

// Every global option: none of them can be a misspelling.
const GLOBAL_OPTIONS = new Set([
  ...VALUE_OPTIONS,
  "--quiet",
  "-q",
  "--verbose",
  "-v",
  "--progress",
  "--no-progress",
  "--help",
  "-h",
  "--version",
]);

/**
 * Rewrites a parser error for people. Names the unknown command, option or
 * argument and suggests a command for a typo. Gives the command line of a
 * command that lacks an argument, and points to that command's --help.
 */
export function describeUsageError(
  message: string,
  args: readonly string[],
): string {
  const { path, positionals } = commandPath(args);
  const help = `Run tamarin ${path.length > 0 ? `${path.join(" ")} ` : ""}--help for usage.`;

  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown !== null) {
    // yargs lists an unknown --kebab-name again in camelCase: keep one.
    const names = unknown[1]!
      .split(", ")
      .filter(
        (name, _index, all) =>
          kebabCase(name) === name || !all.includes(kebabCase(name)),
      );
    // A mistyped command explains the arguments after it.
    const command = unknownCommand(names, path, positionals);
    const lines =
      command !== null
        ? [command]
        : names.map((name) => describeUnknown(name, args));
    return `${lines.join("\n")}\n${help}`;
  }
  if (/^Not enough non-option arguments/.test(message)) {
    const usage = USAGE[path.join(" ")];
    if (usage !== undefined) {
      return `missing argument: ${usage}${takenAsValue(args)}\n${help}`;
    }
  }
  if (message === "name a command") {
    return `name a command: ${COMMANDS.join(", ")}${takenAsValue(args)}\n${help}`;
  }
  if (message === "name a buckets command") {
    return `name a buckets command: ${subcommandsOf(["buckets"]).join(", ")}\n${help}`;
  }
  const missingValue = /^Not enough arguments following: (.+)$/.exec(message);
  if (missingValue !== null) {
    return `missing value for --${kebabCase(missingValue[1]!)}\n${help}`;
  }
  const invalid =
    /^Invalid values:\s+Argument: (\S+), Given: (.+), Choices: (.+)$/.exec(
      message,
    );
  if (invalid !== null) {
    const choices = invalid[3]!.replaceAll('"', "").split(", ");
    return `invalid --${invalid[1]} ${invalid[2]}: expected ${choices.join(", ")}\n${help}`;
  }
  return `${message}\n${help}`;
}

/**
 * Describes an unknown command: the positional argument after the command
 * path, when the parser rejected it. Names the nearest known command.
 * Returns null when that argument was accepted.
 */
function unknownCommand(
  names: readonly string[],
  path: readonly string[],
  positionals: readonly string[],
): string | null {
  const name = positionals[path.length];
  if (name === undefined || !names.includes(name)) return null;
  if (path.length === 0) {
    return `unknown command "${name}"${suggest(name, COMMANDS)} Commands: ${COMMANDS.join(", ")}.`;
  }
  const subcommands = subcommandsOf(path);
  if (subcommands.length === 0) return null;
  return `unknown ${path.join(" ")} command "${name}"${suggest(name, subcommands)} Commands: ${subcommands.join(", ")}.`;
}

function describeUnknown(name: string, args: readonly string[]): string {
  const asOption = args.find(
    (arg) =>
      arg === `--${name}` ||
      arg.startsWith(`--${name}=`) ||
      arg === `-${name}` ||
      arg === `--no-${name}`,
  );
  if (asOption !== undefined) return `unknown option ${asOption.split("=")[0]}`;
  return `unexpected argument "${name}"`;
}

/**
 * Returns a note that an option took the argument after it as its value,
 * when one did: a misspelled flag such as `--forc` in
 * `import --forc logs/` takes the path, which then looks missing.
 */
function takenAsValue(args: readonly string[]): string {
  for (let index = args.length - 2; index >= 0; index--) {
    const option = args[index]!;
    const value = args[index + 1]!;
    if (
      option.startsWith("-") &&
      option.length > 1 &&
      !option.includes("=") &&
      !GLOBAL_OPTIONS.has(option) &&
      !value.startsWith("-")
    ) {
      return ` (${option} took "${value}" as its value; check its spelling)`;
    }
  }
  return "";
}

/** Returns "; did you mean X?" for the nearest of `choices`, else ".". */
function suggest(name: string, choices: readonly string[]): string {
  const nearest = closest(name, choices);
  return nearest === null ? "." : `; did you mean ${nearest}?`;
}

/**
 * Returns the command and subcommand named in `args`, skipping options,
 * with the positional arguments in order.
 */
function commandPath(args: readonly string[]): {
  path: string[];
  positionals: string[];
} {
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--") break;
    if (arg.startsWith("-") && arg !== "-") {
      if (VALUE_OPTIONS.has(arg)) index++;
      continue;
    }
    positionals.push(arg);
  }
  const path: string[] = [];
  if (positionals[0] !== undefined && COMMANDS.includes(positionals[0])) {
    path.push(positionals[0]);
    const sub = positionals[1];
    if (sub !== undefined && `${path[0]} ${sub}` in USAGE) path.push(sub);
  }
  return { path, positionals };
}

/** Returns the choice within two edits of `name`, if there is one. */
function closest(name: string, choices: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const choice of choices) {
    const distance = editDistance(name.toLowerCase(), choice);
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Returns the subcommands of the command at `path`, such as buckets add. */
function subcommandsOf(path: readonly string[]): string[] {
  const prefix = `${path.join(" ")} `;
  return Object.keys(USAGE)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
}

/** Turns a camelCase option name into its --kebab-case form. */
function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
