// Runs the HTTP part of Anam's published clients against the fake Anam API
// (`anam fake serve`): npm @anam-ai/js-sdk and @livekit/agents-plugin-anam,
// at the versions package.json pins, each doing what it does when a real
// application starts a session, up to the point where real media would
// start. See README.md for what each client does on the wire, what the
// harness stubs and why.
//
//   node run.mjs --anam path/to/anam          # starts `anam fake serve` itself
//   node run.mjs --base-url URL --api-key KEY # a fake that already runs
//
// Every request the clients make is recorded at fetch and printed with the
// check that made it; a request anywhere but the fake is refused and fails
// the run. Exit status: 0 when every check passes, 1 when one fails, 2 when
// the harness cannot run at all.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { createClient, unsafe_createClientWithApiKey, ErrorCode } from '@anam-ai/js-sdk';
import { initializeLogger } from '@livekit/agents';
import { AvatarSession } from '@livekit/agents-plugin-anam';

// The installed versions (the packages export no package.json).
const installed = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
const versions = { js: installed('@anam-ai/js-sdk'), livekit: installed('@livekit/agents-plugin-anam') };

const { values: args } = parseArgs({
  options: {
    anam: { type: 'string' },
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const STEP_TIMEOUT_MS = 20_000;

// ---- the fake ------------------------------------------------------------

// startFake runs `anam fake serve` on a free loopback port and returns its
// base URL and API key, read from the two lines it prints.
async function startFake(bin) {
  const child = spawn(bin, ['fake', 'serve', '--addr', '127.0.0.1:0', '--items', '3'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => child.exitCode === null && child.kill('SIGINT');
  process.on('exit', stop);
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const env = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`anam fake serve printed nothing usable in 60 s: ${out}${err}`)), 60_000);
    child.stdout.on('data', (b) => {
      out += b;
      const base = /^ANAM_BASE_URL=(\S+)$/m.exec(out);
      const key = /^ANAM_API_KEY=(\S+)$/m.exec(out);
      if (base && key) {
        clearTimeout(timer);
        resolve({ baseURL: base[1], apiKey: key[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anam fake serve exited with ${code}: ${err.trim()}`));
    });
  });
  return { ...env, stop };
}

// ---- the wire --------------------------------------------------------------

// Every fetch of the clients goes through record: it refuses any origin but
// the fake's, and keeps method, path, credential, body and answer.
const wire = [];
const elsewhere = [];
let fakeOrigin = '';
let currentStep = '';

function installRecorder(apiKey) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.origin !== fakeOrigin) {
      elsewhere.push({ step: currentStep, url: url.href });
      throw new TypeError(`e2e harness: refused a request to ${url.origin}, which is not the fake (${fakeOrigin})`);
    }
    const headers = new Headers(init.headers);
    const auth = headers.get('authorization') ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const entry = {
      step: currentStep,
      method: (init.method ?? 'GET').toUpperCase(),
      path: url.pathname + url.search,
      credential: !bearer ? 'none' : bearer === apiKey ? 'api key' : 'token',
      bearer,
      body: parseJSON(init.body),
    };
    wire.push(entry);
    const res = await realFetch(input, init);
    entry.status = res.status;
    entry.answer = parseJSON(await res.clone().text());
    return res;
  };
}

function parseJSON(text) {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// The backend's own calls (a Go server, in real life) use the API key.
async function backend(method, path, body) {
  const res = await fetch(fakeOrigin + path, {
    method,
    headers: { Authorization: `Bearer ${apiKeyOfFake}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: parseJSON(text) };
}
let apiKeyOfFake = '';

// ---- checks ----------------------------------------------------------------

class CheckError extends Error {}
function expect(cond, message) {
  if (!cond) throw new CheckError(message);
}
function show(v) {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 300 ? s.slice(0, 300) + '...' : s;
}
function describeError(e) {
  if (e?.name === 'ClientError') {
    return `js-sdk ClientError ${e.code} (HTTP ${e.statusCode}): "${e.message}"${e.details?.cause ? `, cause: ${show(e.details.cause)}` : ''}`;
  }
  return `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
}

// JWT claims of a token, or an explanation of why it is no JWT.
function jwtClaims(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    return { error: `not three base64url parts: ${show(token)}` };
  }
  try {
    return { claims: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) };
  } catch (e) {
    return { error: `payload is no JSON: ${e.message}` };
  }
}

// A scenario is a sequence of steps; the first failing step fails the
// scenario, and the steps after it are reported as not reached.
const results = [];
async function scenario(title, steps) {
  console.log(`\n${title}`);
  const ctx = {};
  let failed = false;
  for (const [name, fn] of steps) {
    if (failed) {
      results.push({ title, name, status: 'not reached' });
      console.log(`  ----  ${name} (not reached)`);
      continue;
    }
    currentStep = `${title} / ${name}`;
    const from = wire.length;
    let timer;
    try {
      const note = await Promise.race([
        fn(ctx),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new CheckError(`no result in ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS))),
      ]);
      results.push({ title, name, status: 'pass' });
      console.log(`  PASS  ${name}${note ? `: ${note}` : ''}`);
    } catch (e) {
      failed = true;
      results.push({ title, name, status: 'fail', why: describeError(e) });
      console.log(`  FAIL  ${name}\n        ${e instanceof CheckError ? e.message : describeError(e)}`);
    } finally {
      clearTimeout(timer);
    }
    for (const r of wire.slice(from)) {
      if (args.verbose || results.at(-1).status === 'fail') {
        console.log(`        ${r.method} ${r.path} [${r.credential}] ${show(r.body)} -> ${r.status} ${show(r.answer)}`);
      }
    }
  }
}

// sent returns the requests of the current step to path.
function sent(method, path) {
  return wire.filter((r) => r.step === currentStep && r.method === method && r.path === path);
}
function only(method, path) {
  const rs = sent(method, path);
  expect(rs.length === 1, `${rs.length} ${method} ${path} requests, want 1`);
  return rs[0];
}

// The engine answer is usable when a client can open its signalling socket
// and engine API at the fake itself.
function checkEngineAnswer(answer) {
  expect(typeof answer?.sessionId === 'string' && /^[0-9a-f-]{36}$/i.test(answer.sessionId), `sessionId ${show(answer?.sessionId)} is no UUID`);
  const base = `${answer.engineProtocol}://${answer.engineHost}`;
  let url;
  try {
    url = new URL(base);
  } catch {
    throw new CheckError(`engineProtocol://engineHost is "${base}", no URL (the js-sdk fails here with "Invalid URL")`);
  }
  expect(url.origin === fakeOrigin, `the engine is at ${url.origin}, not at the fake (${fakeOrigin})`);
  const cc = answer.clientConfig;
  expect(cc && Number.isFinite(cc.heartbeatIntervalSeconds) && Number.isFinite(cc.maxWsReconnectionAttempts) && Array.isArray(cc.iceServers),
    `clientConfig ${show(cc)} lacks heartbeatIntervalSeconds, maxWsReconnectionAttempts or iceServers`);
}

// ---- stubs for what needs a LiveKit room -----------------------------------

// A LiveKit room that never connects: AvatarSession.start only needs its
// name, local identity and events; connecting needs a LiveKit server.
function stubRoom() {
  const room = new EventEmitter();
  room.name = 'anam-go-e2e';
  room.isConnected = false;
  room.localParticipant = { identity: 'agent' };
  return room;
}
// An AgentSession that has not started: start() reads and replaces its
// audio output and listens to its events.
function stubAgentSession() {
  const session = new EventEmitter();
  session.output = { audio: null };
  session._started = false;
  return session;
}
const livekit = { livekitUrl: 'wss://livekit.invalid', livekitApiKey: 'e2e-key', livekitApiSecret: 'e2e-secret-0123456789abcdef0123456789' };

// ---- the scenarios ---------------------------------------------------------

async function main() {
  let fake;
  if (args['base-url']) {
    fake = { baseURL: args['base-url'], apiKey: args['api-key'] ?? '', stop() {} };
  } else if (args.anam) {
    fake = await startFake(args.anam);
  } else {
    console.error('usage: node run.mjs --anam path/to/anam | --base-url URL --api-key KEY');
    process.exit(2);
  }
  fakeOrigin = new URL(fake.baseURL).origin;
  apiKeyOfFake = fake.apiKey;
  installRecorder(fake.apiKey);
  initializeLogger({ pretty: false, level: args.verbose ? 'debug' : 'silent' });
  console.log(`fake Anam API at ${fakeOrigin}; @anam-ai/js-sdk ${versions.js}, @livekit/agents-plugin-anam ${versions.livekit}`);

  currentStep = 'setup';
  const personas = await backend('GET', '/v1/personas');
  const avatars = await backend('GET', '/v1/avatars');
  const personaId = personas.body?.data?.[0]?.id;
  const avatarId = avatars.body?.data?.[0]?.id;
  if (!personaId || !avatarId) {
    console.error(`setup: the fake lists no persona or avatar: ${show(personas)} ${show(avatars)}`);
    process.exit(2);
  }
  const jsOptions = {
    api: { baseUrl: fakeOrigin, retry: { maxAttempts: 1 } },
    voiceDetection: { endOfSpeechSensitivity: 0.6 },
    metrics: { disableClientMetrics: true },
  };

  await scenario(`js-sdk ${versions.js}: a browser starts a session with a session token its backend minted for a persona`, [
    ['the backend mints a token by persona ID (POST /v1/auth/session-token, API key)', async (ctx) => {
      const r = await backend('POST', '/v1/auth/session-token', { personaConfig: { personaId } });
      expect(r.status === 200, `answered ${r.status} ${show(r.body)}`);
      expect(typeof r.body?.sessionToken === 'string' && r.body.sessionToken, `no sessionToken in ${show(r.body)}`);
      ctx.token = r.body.sessionToken;
    }],
    ['the token is a JWT with the claims the js-sdk reads (type, accountId) and an expiry', async (ctx) => {
      const { claims, error } = jwtClaims(ctx.token);
      expect(!error, `the token is no JWT: ${error}`);
      expect(claims.type === 'stateful', `claim type is ${show(claims.type)}, want "stateful" for a token by persona ID`);
      expect(typeof claims.accountId === 'string' && claims.accountId, `claim accountId is ${show(claims.accountId)}`);
      expect(Number.isFinite(claims.exp) && claims.exp * 1000 > Date.now(), `claim exp is ${show(claims.exp)}, not a time to come`);
      return show(claims);
    }],
    ['createClient(token) decodes it as the js-sdk does', async (ctx) => {
      ctx.client = createClient(ctx.token, jsOptions);
      expect(ctx.client.organizationId === jwtClaims(ctx.token).claims.accountId, `the js-sdk read organizationId ${show(ctx.client.organizationId)}`);
    }],
    ['startSession: POST /v1/engine/session with the token and the client\'s options', async (ctx) => {
      ctx.sessionId = await ctx.client.startSession();
      const r = only('POST', '/v1/engine/session');
      expect(r.credential === 'token' && r.bearer === ctx.token, `sent with ${r.credential}, not the session token`);
      expect(r.body?.sessionOptions?.voiceDetection?.endOfSpeechSensitivity === 0.6, `body ${show(r.body)} lacks sessionOptions.voiceDetection`);
      expect(r.body?.clientMetadata?.client === 'js-sdk', `body ${show(r.body)} lacks clientMetadata`);
      expect(r.status === 200 && ctx.sessionId === r.answer?.sessionId, `answered ${r.status}; the js-sdk kept session ${show(ctx.sessionId)}`);
      ctx.answer = r.answer;
      return `session ${ctx.sessionId}`;
    }],
    ['the answer points the engine and signalling URLs at the fake', async (ctx) => {
      checkEngineAnswer(ctx.answer);
      const signalling = ctx.client.streamingClient?.signallingClient?.url;
      expect(signalling, 'the js-sdk built no signalling client');
      expect(signalling.host === new URL(fakeOrigin).host && signalling.searchParams.get('session_id') === ctx.sessionId,
        `signalling URL ${signalling.href} is not at the fake with the session's ID`);
      expect(signalling.pathname === ctx.answer.signallingEndpoint && ctx.answer.signallingEndpoint.startsWith('/'),
        `signalling path ${signalling.pathname} is not the answer's signallingEndpoint ${show(ctx.answer.signallingEndpoint)}, a path on the fake`);
      return `signalling ${signalling.href}`;
    }],
    ['the backend finds the session (GET /v1/sessions/{id})', async (ctx) => {
      const r = await backend('GET', `/v1/sessions/${ctx.sessionId}`);
      expect(r.status === 200 && r.body?.id === ctx.sessionId, `answered ${r.status} ${show(r.body)}`);
    }],
    ['a second token starts a second, new session', async (ctx) => {
      const t = await backend('POST', '/v1/auth/session-token', { personaConfig: { personaId } });
      expect(t.status === 200, `the second token: ${t.status} ${show(t.body)}`);
      const id = await createClient(t.body.sessionToken, jsOptions).startSession();
      expect(id && id !== ctx.sessionId, `the second session has ID ${show(id)}, the first ${ctx.sessionId}`);
      ctx.second = id;
    }],
    ['the backend stops the first session (POST /v1/sessions/{id}/stop)', async (ctx) => {
      const r = await backend('POST', `/v1/sessions/${ctx.sessionId}/stop`);
      expect(r.status === 200, `answered ${r.status} ${show(r.body)}`);
    }],
  ]);

  await scenario(`js-sdk ${versions.js}: unsafe_createClientWithApiKey mints its own token, then starts the session with it`, [
    ['startSession: POST /v1/auth/session-token with the API key, then /v1/engine/session with the token', async (ctx) => {
      const personaConfig = { name: 'Cara', avatarId, voiceId: 'de23e340-1416-4dd8-977d-065a7ca11697', llmId: 'CUSTOMER_CLIENT_V1' };
      const warn = console.warn;
      console.warn = () => {}; // the js-sdk warns that API-key mode is unsafe
      try {
        ctx.client = unsafe_createClientWithApiKey(fake.apiKey, personaConfig, jsOptions);
        ctx.sessionId = await ctx.client.startSession();
      } finally {
        console.warn = warn;
      }
      const t = only('POST', '/v1/auth/session-token');
      expect(t.credential === 'api key' && t.body?.clientLabel === 'js-sdk-api-key', `token request ${show(t.body)} with ${t.credential}`);
      const e = only('POST', '/v1/engine/session');
      expect(e.credential === 'token' && e.bearer === t.answer?.sessionToken, `engine request with ${e.credential}, not the token just minted`);
      expect(e.body?.personaConfig?.avatarId === avatarId, `engine request ${show(e.body)} lacks the persona config it sends again`);
      ctx.answer = e.answer;
      ctx.token = t.answer.sessionToken;
      return `session ${ctx.sessionId}`;
    }],
    ['the token of an ephemeral config says type "ephemeral"', async (ctx) => {
      const { claims, error } = jwtClaims(ctx.token);
      expect(!error && claims.type === 'ephemeral', error ?? `claim type is ${show(claims.type)}`);
    }],
    ['the answer points the engine at the fake', async (ctx) => checkEngineAnswer(ctx.answer)],
  ]);

  await scenario(`js-sdk ${versions.js}: a token the API never minted is refused, and the js-sdk can tell why`, [
    ['POST /v1/engine/session answers 401 with a JSON body; the js-sdk reports an authentication error', async () => {
      const forged = ['{"alg":"HS256","typ":"JWT"}', '{"type":"stateful","accountId":"someone-else","exp":4102444800}']
        .map((s) => Buffer.from(s).toString('base64url')).join('.') + '.bm90LXNpZ25lZA';
      let err;
      try {
        await createClient(forged, jsOptions).startSession();
      } catch (e) {
        err = e;
      }
      const r = only('POST', '/v1/engine/session');
      expect(r.status === 401, `answered ${r.status} ${show(r.answer)}`);
      expect(err?.code === ErrorCode.CLIENT_ERROR_CODE_AUTHENTICATION_ERROR && err.statusCode === 401,
        `the js-sdk reported ${err ? describeError(err) : 'success'}`);
      return describeError(err);
    }],
  ]);

  const lkScenario = (title, opts) => scenario(title, [
    ['AvatarSession.start: a LiveKit join token, POST /v1/auth/session-token (API key), POST /v1/engine/session (token)', async (ctx) => {
      ctx.avatar = new AvatarSession({ ...opts, apiUrl: fakeOrigin, apiKey: fake.apiKey, connOptions: { maxRetry: 1, retryInterval: 0 } });
      await ctx.avatar.start(stubAgentSession(), stubRoom(), livekit);
      const t = only('POST', '/v1/auth/session-token');
      expect(t.credential === 'api key', `token request with ${t.credential}`);
      expect(t.body?.environment?.livekitUrl === livekit.livekitUrl && !jwtClaims(t.body.environment.livekitToken).error,
        `token request ${show(t.body)} lacks environment {livekitUrl, livekitToken}`);
      const e = only('POST', '/v1/engine/session');
      expect(e.credential === 'token' && e.bearer === t.answer?.sessionToken, `engine request with ${e.credential}, not the token just minted`);
      expect(ctx.avatar.sessionId && ctx.avatar.sessionId === e.answer?.sessionId, `the plugin kept session ${show(ctx.avatar.sessionId)}`);
      ctx.tokenBody = t.body;
      return `session ${ctx.avatar.sessionId}`;
    }],
    ['the persona config went as the plugin builds it', async (ctx) => {
      const pc = ctx.tokenBody.personaConfig;
      if (opts.personaConfig.personaId) {
        expect(show(pc) === show({ personaId: opts.personaConfig.personaId }), `sent ${show(pc)}`);
      } else {
        expect(pc.type === 'ephemeral' && pc.llmId === 'CUSTOMER_CLIENT_V1' && pc.avatarId === opts.personaConfig.avatarId, `sent ${show(pc)}`);
      }
      expect(show(ctx.tokenBody.sessionOptions) === show(opts.sessionOptions), `sent sessionOptions ${show(ctx.tokenBody.sessionOptions)}, want ${show(opts.sessionOptions)}`);
      return show(ctx.tokenBody.personaConfig);
    }],
    ['the backend finds the session (GET /v1/sessions/{id})', async (ctx) => {
      const r = await backend('GET', `/v1/sessions/${ctx.avatar.sessionId}`);
      expect(r.status === 200 && r.body?.id === ctx.avatar.sessionId, `answered ${r.status} ${show(r.body)}`);
    }],
    ['stopping it answers as documented: 200, or 404 for a session with no Anam engine (LiveKit)', async (ctx) => {
      const r = await backend('POST', `/v1/sessions/${ctx.avatar.sessionId}/stop`);
      expect(r.status === 200 || r.status === 404, `answered ${r.status} ${show(r.body)}`);
      await ctx.avatar.aclose();
      return `${r.status}`;
    }],
  ]);
  await lkScenario(`@livekit/agents-plugin-anam ${versions.livekit}: an agent's avatar for a persona (personaId)`, {
    personaConfig: { personaId },
  });
  await lkScenario(`@livekit/agents-plugin-anam ${versions.livekit}: an agent's avatar configured at run time (ephemeral)`, {
    personaConfig: { name: 'Cara', avatarId, avatarModel: 'cara-4' },
    sessionOptions: { videoWidth: 1152, videoHeight: 768 },
  });

  fake.stop();
  const failed = results.filter((r) => r.status === 'fail');
  const pass = results.filter((r) => r.status === 'pass').length;
  console.log(`\n${pass} passed, ${failed.length} failed, ${results.length - pass - failed.length} not reached`);
  if (elsewhere.length > 0) {
    console.log(`refused ${elsewhere.length} request(s) to elsewhere than the fake:`);
    for (const r of elsewhere) console.log(`  ${r.step}: ${r.url}`);
  }
  process.exit(failed.length > 0 || elsewhere.length > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(`e2e harness: ${e?.stack ?? e}`);
  process.exit(2);
});
