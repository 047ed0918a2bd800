/**
 * The `taskgraph-coordinator` command line (commander). `runCli` never exits the process: it returns
 * the exit code, so tests run it in-process.
 */
import { Command, CommanderError, Option } from 'commander';
import { TasksDirError } from '../adapters/fs/read-tasks-dir.js';
import { runDemoCommand } from './commands/demo.js';
import { OutboxStoreError, runOutbox } from './commands/outbox.js';
import { runPlan } from './commands/plan.js';
import { runValidate } from './commands/validate.js';
import { type CliIo, EXIT } from './io.js';

const VERSION = '0.1.0';

/** Options every graph command takes. */
function graphOptions(command: Command): Command {
  return command
    .option('--tasks <dir>', 'tasks directory', 'tasks')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--prefix <prefix>', 'task branch prefix', 'feat/');
}

/**
 * Runs the CLI with `argv` (without `node` and the script path).
 *
 * @returns 0 success, 1 the graph has errors, 2 usage error (unknown command or option, missing
 *   tasks directory), 3 an internal error (the message goes to stderr).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let result: Promise<number> = Promise.resolve(EXIT.ok);
  const program = new Command('taskgraph-coordinator')
    .description(
      'Validate and plan agent task graphs; merge them into main in dependency order (GitHub App).',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  graphOptions(
    program.command('validate').description('check the task files for errors and warnings'),
  ).action((options) => {
    result = runValidate(options, io);
  });
  graphOptions(
    program.command('plan').description('show generations, the critical path, ready tasks and branch names'),
  ).action((options) => {
    result = runPlan(options, io);
  });

  program
    .command('demo')
    .description(
      'merge a real task graph end to end on this machine: GitHub stand-in, fake CI, agents, the app',
    )
    .option(
      '--tasks <dir>',
      'tasks directory to seed the repo from (default: the wraith snapshot in ../shared)',
    )
    .option('--ci-ms <ms>', 'how long each CI run takes', '2000')
    .option('--agent-ms <ms>', 'how long an agent works on a task before its PR is ready', '1500')
    .option('--fail-rate <x>', 'share of CI runs that fail (0..1)', '0')
    .option('--workdir <dir>', 'keep the bare repositories and logs here (must be empty or absent)')
    .option('--report <file>', 'write the JSON report here')
    .option('--config <file>', 'a .github/coordinator.yml to use instead of the demo one')
    .addOption(
      new Option('--strategy <strategy>', 'merge strategy').choices(['staging', 'direct']).default('staging'),
    )
    .option('--timeout <s>', 'give up after this many seconds', '900')
    .option('--seed <n>', "seed of the fake CI's coin", '1')
    .option(
      '--protection <file>',
      "JSON body of PUT /repos/{owner}/{repo}/branches/main/protection, applied before the run (GitHub's own format)",
    )
    .option(
      '--ruleset <file>',
      'JSON body of POST /repos/{owner}/{repo}/rulesets, applied before the run (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--faults <list>',
      'stand-in faults, e.g. errors=0.05,rate-limit=0.05,drop=0.1,latency=20 (502s, secondary-limit 403s, dropped webhooks, ms added)',
    )
    .option(
      '--kill-every <s>',
      'SIGKILL the app (a random replica) every S seconds and restart it on the same port and store',
    )
    .option('--replicas <n>', 'app processes behind one round-robin webhook URL (default 1)')
    .option(
      '--from-repo <path>',
      'start the stand-in from a copy of this git repository (every branch, its tasks and .github/coordinator.yml) to see what the app would do to it',
    )
    .option(
      '--adopt',
      "adoption: start from a repository whose history already merged 14 of wraith's tasks (merge commits, fast-forwards, 12 stale branches) while its files say pending; a maintainer merges the app's adoption PR, then agents finish the graph",
    )
    .addOption(
      new Option('--agents <mode>', 'on: scripted agents work the tasks; off: only the app acts')
        .choices(['on', 'off'])
        .default('on'),
    )
    .option(
      '--database-url <url>',
      "PostgreSQL for the replicas' store (a fresh schema per run; default: SQLite)",
    )
    .option(
      '--fail-tasks <ids>',
      'comma-separated tasks whose change fails CI on the merge result (its own branch passes) until its agent pushes a fix',
    )
    .option('--batch-size <n>', 'merge.batch_size: most PRs tested together in one staging batch')
    .option('--parallel <n>', 'merge.parallel: batches tested on top of the one under test')
    .option(
      '--no-wait-for-pr-checks',
      'merge.wait_for_pr_checks: false (a ready PR enters a batch while its own checks run)',
    )
    .option('--retries <n>', 'merge.retries: re-runs of a red batch of one PR before it is ejected')
    .option(
      '--withhold <permissions>',
      'comma-separated installation permissions the app does not get (e.g. workflows)',
    )
    .action((options) => {
      result = runDemoCommand(options, io);
    });

  const outbox = program
    .command('outbox')
    .description("inspect the server's Teams outbox (DATA_DIR): waiting items and dead letters");
  const outboxOptions = (command: Command) =>
    command
      .option('--dead', 'the dead letters (refused for good, or too old) instead of the waiting items')
      .option('--data-dir <dir>', "the server's DATA_DIR (default: $DATA_DIR, then ./data)")
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  for (const [verb, args, description] of [
    ['list', '', 'list waiting items (or --dead letters), oldest first'],
    [
      'retry',
      '[ids...]',
      'make waiting items due now, or move --dead letters back to the queue (all, or the ids)',
    ],
    ['purge', '[ids...]', 'delete --dead letters (all, or the ids), or waiting items by id'],
  ] as const) {
    outboxOptions(outbox.command(`${verb}${args ? ` ${args}` : ''}`).description(description)).action(
      (...received: unknown[]) => {
        const ids = (args ? received[0] : []) as string[];
        const options = received[args ? 1 : 0] as {
          dead?: boolean;
          dataDir?: string;
          format: 'text' | 'json';
        };
        result = runOutbox(verb, ids, options, io);
      },
    );
  }

  if (argv.length === 0) {
    io.err(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return shown.includes(error.code) ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof TasksDirError || error instanceof OutboxStoreError) {
      io.err(`taskgraph-coordinator: ${error.message}\n`);
      return EXIT.usage;
    }
    // Anything else is the tool's own failure: exit 3, never 1 (which means "the graph has errors").
    try {
      io.err(
        `taskgraph-coordinator: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    } catch {
      // stderr is gone too; the exit code still says what happened
    }
    return EXIT.internal;
  }
}
