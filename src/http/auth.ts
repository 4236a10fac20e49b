import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { isIPv4, isIPv6 } from 'node:net'
import { join } from 'node:path'
import { errorMessage, StateError } from '../errors.js'

/** Where the daemon keeps the API token: `<dataDir>/http.token`, owner-only. */
export function httpTokenPath (dataDir: string): string {
  return join(dataDir, 'http.token')
}

export function isLoopback (host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost') return true
  if (isIPv4(h)) return h.startsWith('127.')
  if (isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h)
  return false
}

/** Hostname part of a Host header or an Origin URL (`host:port`, `[::1]:port`, `http://host:port`). */
function hostnameOf (value: string): string {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname
  } catch {
    return ''
  }
}

/**
 * Defence against DNS rebinding on a loopback API without a token: a browser page on another
 * site that resolves its name to 127.0.0.1 still sends its own name as Host, and its Origin.
 * Only loopback names pass; requests without an Origin (curl, agents) are not browsers.
 */
export function loopbackRequestAllowed (hostHeader: string | undefined, originHeader: string | undefined): boolean {
  if (hostHeader === undefined || !isLoopback(hostnameOf(hostHeader))) return false
  if (originHeader === undefined) return true
  return originHeader !== 'null' && isLoopback(hostnameOf(originHeader))
}

// Printable ASCII without spaces, so it travels unchanged in an Authorization header.
const TOKEN_SYNTAX = /^[\x21-\x7e]{16,512}$/

function checkToken (token: string, where: string): string {
  if (!TOKEN_SYNTAX.test(token)) throw new StateError('HTTP_TOKEN', `${where}: the HTTP token must be 16 to 512 printable characters without spaces`)
  return token
}

/**
 * Reads the token file, creating it on first use with a fresh 256-bit token. The file is made
 * owner-only (0600) either way: whoever reads it can record outcomes and read user data.
 */
export function loadOrCreateToken (file: string): string {
  try {
    writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError('HTTP_TOKEN', `cannot create ${file}: ${errorMessage(err)}`, { cause: err })
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
  return checkToken(readFileSync(file, 'utf8').trim(), file)
}

export interface TokenOptions {
  host: string
  token?: string
  tokenFile?: string
}

/**
 * The bearer token in force, or null. An explicit token is always enforced. Off loopback a token
 * is mandatory: taken from `tokenFile` (created on first use) or the server refuses to start.
 */
export function resolveToken ({ host, token, tokenFile }: TokenOptions): string | null {
  if (token !== undefined) return checkToken(token, 'token option')
  if (isLoopback(host)) return null
  if (tokenFile === undefined) {
    throw new StateError('HTTP_TOKEN', `refusing to serve the HTTP API on ${host} without a bearer token: bind to 127.0.0.1, or give a token (or a token file)`)
  }
  return loadOrCreateToken(tokenFile)
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** A checker of `Authorization: Bearer <token>` headers, in constant time whatever the input length. */
export function bearerChecker (token: string): (header: string | undefined) => boolean {
  const expected = digest(token)
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    // Compare digests even when the header is absent or malformed, so timing says nothing.
    const ok = timingSafeEqual(digest(match?.[1] ?? ''), expected)
    return ok && match !== null
  }
}
