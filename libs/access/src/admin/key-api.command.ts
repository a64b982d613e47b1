/** The key API's verbs for `apikey`, sent to a running service with ADMIN_TOKEN. */
export const KEY_API_VERBS = ['create', 'list', 'show', 'update', 'revoke', 'rotate', 'audit'];

export const KEY_API_USAGE = `       apikey create [--id ID] [--client-id ID] [--name NAME] [--admin] [LIMITS] --url URL
       apikey list [--limit N] [--cursor C] --url URL
       apikey show <key-id> --url URL
       apikey update <key-id> [--name NAME] [LIMITS] --url URL
       apikey revoke <key-id> --url URL
       apikey rotate <key-id> [--grace SECONDS] --url URL
       apikey audit [--key KEY-ID] [--limit N] [--cursor C] --url URL

LIMITS: --rpm N --tpm N --tokens-per-day N --tokens-per-month N (update: "null" clears one).
These verbs call the key API of the service at URL with the admin token from the ADMIN_TOKEN
environment variable (never from the command line, where other users and the shell history
would see it), and print its JSON answer. A secret is printed once, by create and rotate.`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

// Flag → body field; update also accepts "null" (clears the limit).
const BODY_FLAGS: Record<string, string> = {
  '--id': 'id',
  '--client-id': 'client_id',
  '--name': 'name',
  '--rpm': 'requests_per_minute',
  '--tpm': 'tokens_per_minute',
  '--tokens-per-day': 'tokens_per_day',
  '--tokens-per-month': 'tokens_per_month',
};
const QUERY_FLAGS: Record<string, string> = {
  '--limit': 'limit',
  '--cursor': 'cursor',
  '--key': 'key_id',
  '--grace': 'grace_seconds',
};
const NUMERIC = new Set(Object.values(BODY_FLAGS).filter((f) => f.includes('_per_')));

class UsageError extends Error {}

interface Request {
  method: string;
  path: string;
  body?: Record<string, unknown>;
}

/** Runs one key API verb; resolves to the exit code (0 done, 1 refused or unreachable, 2 usage). */
export async function runKeyApiCommand(
  args: string[],
  io: Io,
  env: Record<string, string | undefined> = process.env,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  let url: URL;
  let request: Request;
  try {
    ({ url, request } = parse(args));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\nUsage: ${KEY_API_USAGE.trimStart()}`);
    return 2;
  }
  const token = env.ADMIN_TOKEN;
  if (!token) {
    io.err('ADMIN_TOKEN must be set in the environment (the admin token of the service)');
    return 2;
  }
  let res: Response;
  try {
    res = await fetchImpl(new URL(request.path, url), {
      method: request.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(request.body ? { 'content-type': 'application/json' } : {}),
      },
      body: request.body && JSON.stringify(request.body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    io.err(
      `${url.origin} is unreachable: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: printed as it came
  }
  if (!res.ok) {
    const detail = (body as { detail?: unknown }).detail;
    io.err(`${res.status} ${typeof detail === 'string' ? detail : res.statusText}`);
    return 1;
  }
  io.out(JSON.stringify(body, null, 2));
  return 0;
}

function parse(args: string[]): { url: URL; request: Request } {
  const [verb, ...rest] = args;
  const needsId = ['show', 'update', 'revoke', 'rotate'].includes(verb);
  const id = needsId ? rest.shift() : undefined;
  if (needsId && (id === undefined || id.startsWith('-'))) {
    throw new UsageError(`apikey ${verb} needs a key id`);
  }
  let url: string | undefined;
  let admin = false;
  const body: Record<string, unknown> = {};
  const query = new URLSearchParams();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--admin' && verb === 'create') {
      admin = true;
      continue;
    }
    const value = rest[i + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    i++;
    if (flag === '--url') url = value;
    else if (BODY_FLAGS[flag] && (verb === 'create' || verb === 'update')) {
      if (flag === '--id' || flag === '--client-id') {
        if (verb !== 'create') throw new UsageError(`${flag} is for create only`);
      }
      body[BODY_FLAGS[flag]] = bodyValue(BODY_FLAGS[flag], value, verb === 'update');
    } else if (QUERY_FLAGS[flag]) query.set(QUERY_FLAGS[flag], value);
    else throw new UsageError(`Unknown option for ${verb}: ${flag}`);
  }
  if (admin) body.admin = true;
  if (url === undefined || !/^https?:\/\//.test(url)) {
    throw new UsageError('--url must be the http(s) address of the service');
  }
  const key = `/admin/keys/${encodeURIComponent(id ?? '')}`;
  const qs = query.size ? `?${query.toString()}` : '';
  const requests: Record<string, Request> = {
    create: { method: 'POST', path: '/admin/keys', body },
    list: { method: 'GET', path: `/admin/keys${qs}` },
    show: { method: 'GET', path: key },
    update: { method: 'PATCH', path: key, body },
    revoke: { method: 'DELETE', path: key },
    rotate: { method: 'POST', path: `${key}/rotate${qs}` },
    audit: { method: 'GET', path: `/admin/audit${qs}` },
  };
  // Any other query flag than the verb's own is the caller's mistake.
  const allowed: Record<string, string[]> = {
    list: ['limit', 'cursor'],
    audit: ['limit', 'cursor', 'key_id'],
    rotate: ['grace_seconds'],
  };
  for (const name of query.keys()) {
    if (!allowed[verb]?.includes(name)) throw new UsageError(`Unknown option for ${verb}: ${name}`);
  }
  return { url: new URL(url), request: requests[verb] };
}

function bodyValue(field: string, value: string, nullable: boolean): unknown {
  if (!NUMERIC.has(field)) return value;
  if (nullable && value === 'null') return null;
  if (!/^\d{1,16}$/.test(value)) throw new UsageError(`${field} must be a whole number`);
  return Number(value);
}
