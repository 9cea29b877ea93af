// The backup passphrase for `archy backup targets add`: from a file
// (--passphrase-file) or piped on stdin, never from the command line, where
// every user of the machine could read it in the process list.
import { readFileSync } from 'node:fs';
import { CliError } from '../errors.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readPassphrase(file: string | undefined): Promise<string> {
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(
        'backup.passphrase',
        `cannot read --passphrase-file ${file}: ${(error as Error).message}`,
      );
    }
  } else if (!process.stdin.isTTY) {
    text = await readStdin();
  } else {
    throw new CliError(
      'usage',
      'give the backup passphrase with --passphrase-file FILE or on stdin (never on the command line)',
      2,
    );
  }
  // One trailing newline is the file's or the pipe's, not the passphrase's.
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase === '') throw new CliError('backup.passphrase', 'the backup passphrase is empty');
  return passphrase;
}
