import { DigestChallengeError } from '../../errors';
import { DigestAlgorithm } from './digestResponse';

/** One challenge of a `WWW-Authenticate` field, before any scheme-specific meaning is given to it. */
export interface AuthChallenge {
  /** The auth-scheme, lower-cased (`digest`, `basic`, …). */
  readonly scheme: string;
  /** auth-params by lower-cased name, values unquoted and unescaped. */
  readonly params: ReadonlyMap<string, string>;
  /** The token68 form some schemes use instead of parameters (`Negotiate abc==`). */
  readonly token68?: string | undefined;
}

/** A Digest challenge this client can answer (RFC 7616 §3.3). */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  /**
   * Whether the server named the algorithm. RFC 2069 servers do not, and may not expect the parameter back,
   * so the client then leaves it out of its `Authorization`.
   */
  readonly algorithmNamed: boolean;
  /** `auth`, or undefined when the server offered no qop (RFC 2069 mode: no `nc`, no `cnonce`). */
  readonly qop: 'auth' | undefined;
  /** Echoed back verbatim when present. */
  readonly opaque: string | undefined;
  /** The previous request's nonce had expired; its credentials were fine. */
  readonly stale: boolean;
}

/**
 * Parses a `WWW-Authenticate` field (RFC 9110 §11.6.1) into its challenges, whatever their scheme.
 *
 * A comma both separates challenges and the parameters of one challenge, so a name followed by `=` is read
 * as a parameter and any other token as the next scheme. Quoted strings may hold commas and `\"`.
 *
 * @param header - the field value, or the values of several `WWW-Authenticate` fields, which are read as one
 *   field, joined with commas (RFC 9110 §5.3: that is what several field lines of one name mean).
 * @throws DigestChallengeError when the field does not follow the grammar; a position counts from the start
 *   of the joined field.
 *
 * @example
 * parseWwwAuthenticate('Basic realm="x", Digest realm="a, b", nonce="n", qop="auth"');
 * // => [{ scheme: 'basic', params: Map { realm → 'x' } },
 * //     { scheme: 'digest', params: Map { realm → 'a, b', nonce → 'n', qop → 'auth' } }]
 */
export function parseWwwAuthenticate(header: string | readonly string[]): AuthChallenge[] {
  const field = typeof header === 'string' ? header : header.join(', ');
  return new ChallengeReader(field).read();
}

/**
 * Picks, from a `WWW-Authenticate` field, the first Digest challenge this client can answer, in the server's
 * order of preference: algorithm MD5 (the default when absent), MD5-sess, SHA-256 or SHA-256-sess, and qop
 * `auth` or none at all.
 *
 * @returns undefined when the field holds no Digest challenge (absent, or only other schemes).
 * @throws DigestChallengeError when the field is malformed, or every Digest challenge in it asks for something
 *   this client cannot do (an unknown algorithm, `auth-int` only, no nonce).
 *
 * @example
 * selectDigestChallenge('Digest realm="MMS Public API", domain="", nonce="abc", algorithm=MD5, qop="auth", stale=false');
 * // => { realm: 'MMS Public API', nonce: 'abc', algorithm: 'MD5', algorithmNamed: true, qop: 'auth',
 * //      opaque: undefined, stale: false }
 */
export function selectDigestChallenge(
  header: string | readonly string[] | undefined,
): DigestChallenge | undefined {
  if (header === undefined) {
    return undefined;
  }
  const digests = parseWwwAuthenticate(header).filter((challenge) => challenge.scheme === 'digest');
  let firstProblem: DigestChallengeError | undefined;
  for (const challenge of digests) {
    try {
      return toDigestChallenge(challenge);
    } catch (error) {
      firstProblem ??= error as DigestChallengeError;
    }
  }
  if (firstProblem) {
    throw firstProblem;
  }
  return undefined;
}

const ALGORITHMS: ReadonlyMap<string, DigestAlgorithm> = new Map(
  Object.values(DigestAlgorithm).map((algorithm) => [algorithm.toLowerCase(), algorithm]),
);

/**
 * Gives a parsed `Digest` challenge its meaning.
 *
 * @throws DigestChallengeError when the challenge cannot be answered.
 */
export function toDigestChallenge(challenge: AuthChallenge): DigestChallenge {
  const { params } = challenge;
  const realm = params.get('realm');
  if (realm === undefined) {
    throw new DigestChallengeError('Digest challenge has no realm');
  }
  const nonce = params.get('nonce');
  if (!nonce) {
    throw new DigestChallengeError('Digest challenge has no nonce');
  }
  const named = params.get('algorithm');
  return {
    realm,
    nonce,
    algorithm: chooseAlgorithm(named),
    algorithmNamed: named !== undefined,
    qop: chooseQop(params.get('qop')),
    opaque: params.get('opaque'),
    stale: params.get('stale')?.toLowerCase() === 'true',
  };
}

function chooseAlgorithm(named: string | undefined): DigestAlgorithm {
  if (named === undefined) {
    return DigestAlgorithm.MD5;
  }
  const algorithm = ALGORITHMS.get(named.toLowerCase());
  if (algorithm === undefined) {
    throw new DigestChallengeError(
      `Digest challenge asks for algorithm ${quoteForMessage(named)}; supported: ${[...ALGORITHMS.values()].join(', ')}`,
    );
  }
  return algorithm;
}

function chooseQop(offered: string | undefined): 'auth' | undefined {
  if (offered === undefined) {
    return undefined;
  }
  const options = offered.split(',').map((option) => option.trim().toLowerCase());
  if (options.includes('auth')) {
    return 'auth';
  }
  // auth-int would need a hash of the entity body, which a streaming client cannot know up front.
  throw new DigestChallengeError(
    `Digest challenge offers qop ${quoteForMessage(offered)}; only "auth" (or no qop) is supported`,
  );
}

// Server-controlled text goes into messages; bound it so a hostile header cannot flood the logs.
function quoteForMessage(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

// RFC 9110 §5.6.2 tchar.
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// RFC 9110 §11.2 token68, only when nothing but whitespace or a comma follows it.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/;

class ChallengeReader {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  read(): AuthChallenge[] {
    const challenges: { scheme: string; params: Map<string, string>; token68?: string }[] = [];
    let current: (typeof challenges)[number] | undefined;
    for (;;) {
      const sawComma = this.#skipSeparators();
      if (this.#at >= this.#text.length) {
        return challenges;
      }
      const name = this.#readToken();
      if (name === '') {
        throw this.#malformed(`unexpected ${JSON.stringify(this.#text[this.#at])}`);
      }
      const afterName = this.#at;
      this.#skipWhitespace();
      if (current !== undefined && this.#text[this.#at] === '=') {
        if (current.token68 !== undefined) {
          throw this.#malformed(`parameter ${JSON.stringify(name)} after a token68, which takes none`);
        }
        if (!sawComma && current.params.size > 0) {
          throw this.#malformed(`expected "," before parameter ${JSON.stringify(name)}`);
        }
        this.#at += 1;
        this.#skipWhitespace();
        const value = this.#readValue(name);
        const key = name.toLowerCase();
        if (current.params.has(key)) {
          throw this.#malformed(`parameter ${JSON.stringify(key)} appears twice`);
        }
        current.params.set(key, value);
        continue;
      }
      if (current !== undefined && !sawComma) {
        throw this.#malformed(`expected "," before ${JSON.stringify(name)}`);
      }
      if (this.#text[this.#at] === '=') {
        throw this.#malformed('expected an auth-scheme before "="');
      }
      current = { scheme: name.toLowerCase(), params: new Map() };
      challenges.push(current);
      if (this.#at > afterName) {
        const token68 = TOKEN68.exec(this.#text.slice(this.#at));
        if (token68 !== null) {
          current.token68 = token68[0];
          this.#at += token68[0].length;
        }
      }
    }
  }

  #skipWhitespace(): void {
    while (this.#text[this.#at] === ' ' || this.#text[this.#at] === '\t') {
      this.#at += 1;
    }
  }

  #skipSeparators(): boolean {
    let sawComma = false;
    for (;;) {
      this.#skipWhitespace();
      if (this.#text[this.#at] !== ',') {
        return sawComma;
      }
      sawComma = true;
      this.#at += 1;
    }
  }

  #readToken(): string {
    const start = this.#at;
    // charAt is '' past the end, which is no tchar.
    while (TOKEN_CHAR.test(this.#text.charAt(this.#at))) {
      this.#at += 1;
    }
    return this.#text.slice(start, this.#at);
  }

  #readValue(name: string): string {
    if (this.#text[this.#at] === '"') {
      return this.#readQuoted();
    }
    const token = this.#readToken();
    if (token === '') {
      throw this.#malformed(`parameter ${JSON.stringify(name)} has no value`);
    }
    return token;
  }

  #readQuoted(): string {
    const start = this.#at;
    let value = '';
    this.#at += 1;
    while (this.#at < this.#text.length) {
      const char = this.#text.charAt(this.#at);
      this.#at += 1;
      if (char === '"') {
        return value;
      }
      if (char === '\\') {
        // A backslash that ends the field adds nothing, and the loop then ends unterminated.
        value += this.#text.charAt(this.#at);
        this.#at += 1;
      } else {
        value += char;
      }
    }
    this.#at = start;
    throw this.#malformed('unterminated quoted string');
  }

  #malformed(problem: string): DigestChallengeError {
    return new DigestChallengeError(`Malformed WWW-Authenticate at character ${this.#at + 1}: ${problem}`);
  }
}
