/**
 * `lltp`, the command line of lltp-flow (`npx lltp …` in the repository, bin/lltp.js).
 * Errors are one line on stderr: exit code 2 for a bad command or flag, 1 for anything else.
 */
import { Command, CommanderError } from 'commander';
import { calendarCommand } from './calendar';
import { handoverCommand } from './handover';
import { inspectionCommand, reportCommand } from './inspection';
import { whatIfCommand } from './whatif';
import { describeError, EXIT_OK, EXIT_USAGE, type CliIo } from './io';

export function buildProgram(io: CliIo): Command {
  const program = new Command('lltp').description('lltp-flow: cấp Phiếu lý lịch tư pháp qua VNeID').addCommand(calendarCommand(io)).addCommand(inspectionCommand(io)).addCommand(reportCommand(io)).addCommand(handoverCommand(io)).addCommand(whatIfCommand(io));
  configure(program, io);
  return program;
}

function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (text) => io.out(text.replace(/\n$/, '')), writeErr: () => undefined, outputError: () => undefined });
  for (const sub of command.commands) configure(sub, io);
}

/** Commander's own usage errors, in Vietnamese, naming the flag or command. */
function commanderMessage(error: CommanderError): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1]?.split(' ')[0] ?? '';
  switch (error.code) {
    case 'commander.missingMandatoryOptionValue':
      return `thiếu tùy chọn bắt buộc ${quoted}`;
    case 'commander.optionMissingArgument':
      return `${quoted} thiếu giá trị`;
    case 'commander.invalidArgument': {
      const allowed = /Allowed choices are (.+)\.$/.exec(error.message)?.[1];
      return `${quoted}: giá trị không hợp lệ${allowed ? ` (phải là một trong ${allowed})` : ''}`;
    }
    case 'commander.unknownOption':
      return `tùy chọn không hợp lệ: ${quoted}`;
    case 'commander.unknownCommand':
      return `lệnh không hợp lệ: ${quoted}`;
    case 'commander.excessArguments':
      return `thừa tham số (${error.message.replace(/^error: /, '')})`;
    case 'commander.help':
      return 'thiếu lệnh; xem --help';
    default:
      return error.message.replace(/^error: /, '');
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_OK; // --help, --version
      io.err(`lltp: lỗi: ${commanderMessage(error)}`);
      return EXIT_USAGE;
    }
    const { message, exitCode } = describeError(error);
    io.err(`lltp: lỗi: ${message}`);
    return exitCode;
  }
}

/** The process entry point used by bin/lltp.js. */
export function main(): void {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    now: () => new Date(),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`lltp: lỗi: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
