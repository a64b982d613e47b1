import { API_KEY_ENTRY } from '../access.environment.js';
import { KEY_API_USAGE, KEY_API_VERBS, runKeyApiCommand } from '../admin/key-api.command.js';
import { generateApiKey, keyEntry } from './api-key.js';

const USAGE = `Usage: apikey new <client-id> [--rpm N] [--tpm N] [--tpd N] [--tpmo N] [--json]
${KEY_API_USAGE}

"new" works offline: it generates a random API key for <client-id> and prints it once, with the
entry to add to API_KEYS or API_KEYS_FILE (client-id:sha256-of-key[:rpm=N;tpm=N;tpd=N;tpmo=N]).
The key itself is never stored by the service: keep it now or generate another.`;

const OVERRIDE_FLAGS = ['--rpm', '--tpm', '--tpd', '--tpmo'];

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * `apikey new <client-id>` (offline key generation) and the key API's verbs (against a running
 * service); resolves to the exit code.
 */
export async function runApiKeyCommand(
  args: string[],
  io: Output = stdio,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (KEY_API_VERBS.includes(args[0])) return runKeyApiCommand(args, io, env);
  return newKey(args, io);
}

function newKey(args: string[], io: Output): number {
  const [command, clientId, ...rest] = args;
  if (command !== 'new' || clientId === undefined || clientId.startsWith('-')) {
    io.err(USAGE);
    return command === 'help' || command === '--help' ? 0 : 2;
  }
  const overrides: string[] = [];
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--json') json = true;
    else if (OVERRIDE_FLAGS.includes(flag) && /^\d{1,10}$/.test(rest[i + 1] ?? '')) {
      overrides.push(`${flag.slice(2)}=${rest[++i]}`);
    } else {
      io.err(`Unknown or incomplete option: ${flag}\n\n${USAGE}`);
      return 2;
    }
  }
  const key = generateApiKey();
  const entry = [keyEntry(clientId, key), ...(overrides.length ? [overrides.join(';')] : [])].join(
    ':',
  );
  if (!API_KEY_ENTRY.test(entry)) {
    io.err(
      'client-id must be 1-64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit',
    );
    return 2;
  }
  if (json) {
    io.out(JSON.stringify({ client_id: clientId, key, entry }));
  } else {
    io.out(`API key (shown once): ${key}`);
    io.out(`Entry for API_KEYS or API_KEYS_FILE: ${entry}`);
  }
  return 0;
}
