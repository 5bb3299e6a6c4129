// `firefighter exec HOST -- COMMAND...`: runs one command; its exit code is the tool's.
import { connectExitCode, connectOrExitCode, errorMessage, ExitCode, type CliCommand, type CliConnect } from './command';

/** What ssh returns when there is no remote exit status (connection lost, killed by a signal). */
const NO_EXIT_STATUS = 255;

export function makeExecCommand(connect: CliConnect): CliCommand {
  return async (args, io) => {
    const separator = args.indexOf('--');
    const host = args[0];
    const command = args.slice(separator + 1);
    if (separator !== 1 || !host || host.startsWith('-') || command.length === 0) {
      io.stderr.write('usage: firefighter exec HOST -- COMMAND...\n');
      return ExitCode.usage;
    }
    const runner = await connectOrExitCode(connect, host, io);
    if (typeof runner === 'number') return runner;
    // Arguments arrive split by the local shell; the remote shell gets them joined, as with ssh.
    let remote;
    try {
      remote = await runner.spawn(command.join(' '));
    } catch (error) {
      // The connection dropped, or the host refused another channel.
      io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
      return connectExitCode(error);
    }
    // Like `ssh host cmd`, the command reads what the tool is given on stdin.
    io.stdin.pipe(remote.stdin);
    remote.stdout.pipe(io.stdout, { end: false });
    remote.stderr.pipe(io.stderr, { end: false });
    // Ctrl-C: the remote command gets SIGHUP over the channel and the channel closes; the tool
    // stops at once instead of waiting for the host to confirm.
    const interrupted = new Promise<'interrupted'>((resolve) => {
      const abort = () => {
        remote.close();
        resolve('interrupted');
      };
      if (io.signal.aborted) abort();
      else io.signal.addEventListener('abort', abort, { once: true });
      void remote.exit.finally(() => io.signal.removeEventListener('abort', abort));
    });
    const ended = await Promise.race([remote.exit, interrupted]);
    io.stdin.unpipe(remote.stdin);
    if (ended === 'interrupted') return ExitCode.interrupted;
    const { exitCode, error } = ended;
    if (error) io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
    return exitCode ?? NO_EXIT_STATUS;
  };
}
