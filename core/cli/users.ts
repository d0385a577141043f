import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { addUser, listUsers, resetPassword, type Role, setDisabled, setRole, UserError } from '../web/auth/users.ts';
import { CliError, printJson, withCli } from './context.ts';

/**
 * The password comes from `--password-file` or stdin (piped: its first line; a terminal: a prompt that does not
 * echo), never from an argument, which would sit in shell history and `ps`.
 */
async function readPassword(file: string | undefined, prompt: string): Promise<string> {
  if (file) return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += String(chunk);
    return data.split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  muted._writeToOutput = () => undefined;
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

const asRole = (value: string): Role => {
  if (value !== 'admin' && value !== 'agent') throw new CliError(`--role must be admin or agent, not "${value}"`);
  return value;
};

const wrap = <T>(fn: () => Promise<T>): Promise<T> =>
  fn().catch((err: unknown) => {
    throw err instanceof UserError ? new CliError(err.message) : err;
  });

export function usersCommand(program: Command): void {
  const group = program.command('users').description('manage who can sign in to the inbox and console');

  group
    .command('add <email>')
    .description('add a user; the password is read from stdin or --password-file')
    .requiredOption('--name <name>', 'the name shown to colleagues')
    .option('--role <role>', 'admin or agent', 'agent')
    .option('--password-file <file>', 'read the password from the first line of this file')
    .action((email: string, opts: { name: string; role: string; passwordFile?: string }) =>
      withCli(program.opts().config, 'users add', {}, async (cli) => {
        const role = asRole(opts.role);
        const password = await readPassword(opts.passwordFile, `password for ${email}: `);
        const user = await wrap(() => addUser(cli.store.db, { email, name: opts.name, role, password }));
        process.stdout.write(`added ${user.email} (${user.role})\n`);
      }),
    );

  group
    .command('list')
    .description('list users')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withCli(program.opts().config, 'users list', {}, async (cli) => {
        const users = await listUsers(cli.store.db);
        if (opts.json) return printJson(users.map((u) => ({ email: u.email, name: u.name, role: u.role, disabled: u.disabled, createdAt: u.created_at })));
        if (users.length === 0) process.stdout.write('no users; add one with: omnihub users add <email> --name <name> --role admin\n');
        for (const u of users) process.stdout.write(`${u.email}  ${u.role}  ${u.disabled ? 'disabled' : 'active'}  ${u.name}\n`);
      }),
    );

  group
    .command('set-role <email> <role>')
    .description('make a user admin or agent')
    .action((email: string, role: string) =>
      withCli(program.opts().config, 'users set-role', {}, async (cli) => {
        const user = await wrap(() => setRole(cli.store.db, email, asRole(role)));
        process.stdout.write(`${user.email} is now ${user.role}\n`);
      }),
    );

  group
    .command('disable <email>')
    .description('stop a user from signing in (ends their sessions); --enable undoes it')
    .option('--enable', 'enable the user again')
    .action((email: string, opts: { enable?: boolean }) =>
      withCli(program.opts().config, 'users disable', {}, async (cli) => {
        const user = await wrap(() => setDisabled(cli.store.db, email, !opts.enable));
        process.stdout.write(opts.enable ? `${user.email} is enabled\n` : `${user.email} is disabled and signed out\n`);
      }),
    );

  group
    .command('reset-password <email>')
    .description('set a new password (from stdin or --password-file) and end the user’s sessions')
    .option('--password-file <file>', 'read the password from the first line of this file')
    .action((email: string, opts: { passwordFile?: string }) =>
      withCli(program.opts().config, 'users reset-password', {}, async (cli) => {
        const password = await readPassword(opts.passwordFile, `new password for ${email}: `);
        const user = await wrap(() => resetPassword(cli.store.db, email, password));
        process.stdout.write(`new password set for ${user.email}; their sessions ended\n`);
      }),
    );
}
