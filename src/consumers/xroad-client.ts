import crypto from 'node:crypto';
import type { Config, UpstreamConfig } from '../config/schema.js';
import type { ExchangeLogWriter, ExchangeRecordInput } from '../exchange-log/types.js';
import type { Logger } from '../log/logger.js';
import type { XRoadIdentifier } from '../operations/types.js';
import type { KeyStore } from '../pki/key-store.js';
import type { TrustStore } from '../pki/trust-store.js';
import { buildSignedEnvelope, parseEnvelope, verifyEnvelope, type ReceivedEnvelope } from '../xroad/envelope.js';
import { buildXRoadHeaders, type XRoadHeaders } from '../xroad/headers.js';
import { NS } from '../xroad/namespaces.js';
import { firstChild, textOf } from '../xroad/xml/dom.js';
import { decodeUtf8, parseXml } from '../xroad/xml/parser.js';
import type { XmlElement, XmlLimits } from '../xroad/xml/types.js';
import { httpTarget, postXml, type HttpTarget, type PostResult } from './http-post.js';
import { UpstreamGuard, type BreakerState, type GuardOptions } from './resilience.js';
import { upstreamAppError, UpstreamError } from './upstream-error.js';
import type { XRoadCall, XRoadCaller, XRoadReply } from './xroad-caller.js';

export interface XRoadClientDeps {
  /** Upstream name for logs, errors and health: "minjust", "bis". */
  name: string;
  upstream: UpstreamConfig;
  /** The adapter's client subsystem, instance/class/code/subsystem (config.xroad.client). */
  client: string;
  keys: KeyStore;
  trust: TrustStore;
  exchangeLog: ExchangeLogWriter;
  logger: Logger;
  timestamp: Config['xroad']['timestamp'];
  limits: XmlLimits;
  /** Where TLS files named in upstream.tls live. */
  certsDir: string;
  /** Clock for signature timestamps and their checks (real time by default). */
  clock?: () => Date;
  guard?: GuardOptions;
}

/** instance/class/code[/subsystem] → identifier. */
export function parseXRoadId(id: string, objectType: 'SUBSYSTEM' | 'SERVICE'): XRoadIdentifier {
  const [xRoadInstance, memberClass, memberCode, subsystemCode] = id.split('/');
  return { objectType, xRoadInstance, memberClass, memberCode, subsystemCode };
}

function sameId(a: XRoadIdentifier, b: XRoadIdentifier): boolean {
  const keys = ['objectType', 'xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode', 'serviceCode', 'serviceVersion'] as const;
  return keys.every((k) => (a[k] ?? '') === (b[k] ?? ''));
}

const XML_TYPES = /^(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i;

/**
 * The X-Road SOAP client of one provider (MoJ or BIS), our own rather than node-soap's: every
 * request is built from the XML security core (headers, WS-Security signature by the client
 * member's key), every answer is parsed with the hardened parser and acted on only after the
 * checks of CONTRACT §3 (signature by the provider member when it signs, header echo of client,
 * service and id). Each attempt is one exchange-log record with the exact bytes both ways.
 */
export class XRoadClient implements XRoadCaller {
  private readonly guard: UpstreamGuard;
  private readonly target: HttpTarget;
  private readonly clientId: XRoadIdentifier;
  private readonly provider: XRoadIdentifier;
  private readonly clock: () => Date;

  constructor(private readonly deps: XRoadClientDeps) {
    this.clientId = parseXRoadId(deps.client, 'SUBSYSTEM');
    this.provider = parseXRoadId(deps.upstream.service, 'SERVICE');
    this.target = httpTarget(deps.upstream, deps.certsDir);
    this.clock = deps.clock ?? (() => new Date());
    this.guard = new UpstreamGuard(deps.name, deps.upstream, {
      ...deps.guard,
      onStateChange: (state) => {
        deps.logger.warn('upstream circuit breaker', { upstream: deps.name, state });
        deps.guard?.onStateChange?.(state);
      },
    });
  }

  serviceId(serviceCode: string): string {
    return `${this.deps.upstream.service}/${serviceCode}`;
  }

  state(): BreakerState {
    return this.guard.state();
  }

  load(): { inFlight: number; waiting: number } {
    return this.guard.load();
  }

  shutdown(): void {
    this.guard.shutdown();
    this.target.agent.destroy();
  }

  async call<T>(c: XRoadCall<T>): Promise<XRoadReply<T>> {
    // One id per logical call: a retry is the same request again, which X-Road providers may
    // answer from their idempotency store (CONTRACT §3) instead of acting twice.
    const messageId = crypto.randomUUID();
    const value = await this.guard.run(({ signal }) => this.exchange(c, messageId, signal), { idempotent: c.idempotent });
    return { value, messageId };
  }

  private async exchange<T>(c: XRoadCall<T>, messageId: string, signal: AbortSignal): Promise<T> {
    const { deps } = this;
    const requestInTs = Date.now();
    const headers: XRoadHeaders = {
      client: this.clientId,
      service: { ...this.provider, serviceCode: c.serviceCode },
      id: messageId,
      protocolVersion: '4.0',
    };
    if (c.userId) headers.userId = c.userId;
    const envelope = buildSignedEnvelope({
      headers: buildXRoadHeaders(headers),
      bodyXml: c.bodyXml,
      identity: deps.keys.identity(this.clientId.memberCode),
      now: this.clock(),
      ttlSeconds: deps.timestamp.ttlSeconds,
    });
    const requestBody = Buffer.from(envelope, 'utf8');
    const base: ExchangeRecordInput = {
      direction: 'out',
      transport: 'soap',
      requestInTs,
      responseOutTs: 0,
      client: deps.client,
      service: this.serviceId(c.serviceCode),
      serviceCode: c.serviceCode,
      messageId,
      userId: c.userId,
      protocolVersion: '4.0',
      requestSize: requestBody.length,
      responseSize: 0,
      requestAttachmentCount: 0,
      responseAttachmentCount: 0,
      succeeded: false,
      statusCode: 0,
      requestBody,
      subjects: c.subjects,
      requestId: c.requestId,
    };
    const requestOutTs = Date.now();
    let res: PostResult | undefined;
    let responseInTs: number | undefined;
    let value: T;
    try {
      res = await postXml(this.target, envelope, { signal, maxBytes: deps.limits.maxBytes, upstream: deps.name });
      responseInTs = Date.now();
      value = this.readAnswer(c, headers, res);
    } catch (e) {
      const err = e instanceof UpstreamError ? e : new UpstreamError('malformed', deps.name, (e as Error).message, { cause: e });
      const code = err.kind === 'fault' ? err.faultCode : upstreamAppError(err).faultCode;
      await this.record({
        ...base,
        requestOutTs,
        responseInTs,
        responseOutTs: Date.now(),
        responseSize: res?.body.length ?? 0,
        responseBody: res?.body,
        statusCode: res?.status ?? 0,
        faultCode: code,
        faultString: err.kind === 'fault' ? err.faultString : err.message,
      }).catch((logErr: unknown) => deps.logger.error('exchange log write failed for a failed consumed exchange', { upstream: deps.name, messageId, err: (logErr as Error).message }));
      throw err;
    }
    try {
      await this.record({ ...base, requestOutTs, responseInTs, responseOutTs: Date.now(), responseSize: res.body.length, responseBody: res.body, statusCode: res.status, succeeded: true });
    } catch (logErr) {
      // An answer that cannot be put on record is not used (CONTRACT §7: every exchange is logged).
      throw new UpstreamError('log', deps.name, 'the exchange could not be written to the exchange log', { cause: logErr });
    }
    return value;
  }

  private record(r: ExchangeRecordInput): Promise<unknown> {
    return this.deps.exchangeLog.append(r);
  }

  /** Checks an answer in the order that keeps unsigned bytes from being acted on; returns the decoded body. */
  private readAnswer<T>(c: XRoadCall<T>, sent: XRoadHeaders, res: PostResult): T {
    const { name, upstream, limits } = this.deps;
    const opts = { statusCode: res.status };
    const unreadable = (why: string, cause?: unknown): UpstreamError =>
      res.status >= 500 ? new UpstreamError('http', name, `HTTP ${res.status} without a readable SOAP answer (${why})`, { ...opts, cause }) : new UpstreamError('malformed', name, why, { ...opts, cause });
    if (!XML_TYPES.test(res.contentType)) throw unreadable(`content type "${res.contentType}" is not SOAP`);
    let env: ReceivedEnvelope;
    try {
      env = parseEnvelope(decodeUtf8(res.body), limits);
    } catch (e) {
      // A fault without readable X-Road headers (e.g. from the security server itself) still says what went wrong.
      const fault = bareFault(res, limits);
      if (fault) throw new UpstreamError('fault', name, `fault ${fault.code}`, { ...opts, ...fault.fields });
      throw unreadable(`not a readable X-Road SOAP message: ${(e as Error).message}`, e);
    }
    const wrapper = env.bodyWrapper;
    if (!wrapper) throw unreadable('the Body must hold exactly one element');
    const fault = faultOf(wrapper);
    if (fault) {
      // Faults never carry data to act on, so an unsigned one is accepted as a failure (the
      // security server's own faults are not signed by the provider).
      throw new UpstreamError('fault', name, `fault ${fault.faultCode}`, { ...opts, ...fault });
    }
    if (res.status !== 200) throw unreadable(`HTTP ${res.status} with a non-fault body`);
    if (upstream.signsResponses) {
      try {
        verifyEnvelope(env, {
          trust: this.deps.trust,
          now: this.clock(),
          maxAgeSeconds: this.deps.timestamp.maxAgeSeconds,
          futureSkewSeconds: this.deps.timestamp.futureSkewSeconds,
          // Bound to the member named in xrd:service; the echo check below makes that the provider asked.
          signerRole: 'service',
        });
      } catch (e) {
        throw new UpstreamError('signature', name, `response signature refused: ${(e as Error).message}`, { ...opts, cause: e });
      }
    }
    const got = env.headers;
    if (!got) throw unreadable(`X-Road headers unreadable: ${env.headersError?.message ?? 'missing'}`, env.headersError);
    if (!sameId(got.client, sent.client) || !sameId(got.service, sent.service) || got.id !== sent.id) {
      throw new UpstreamError('echo', name, 'the answer does not echo the client, service and id of the request', opts);
    }
    return c.decode(wrapper);
  }
}

/** faultcode/faultstring of a SOAP 1.1 Fault body element, or undefined when it is not a fault. */
function faultOf(wrapper: XmlElement): { faultCode: string; faultString: string } | undefined {
  if (wrapper.ns !== NS.soapenv || wrapper.local !== 'Fault') return undefined;
  const code = firstChild(wrapper, '', 'faultcode');
  const str = firstChild(wrapper, '', 'faultstring');
  let faultCode = code ? safeText(code) : 'Server';
  // The QName prefix (soapenv:, SOAP-ENV:) says nothing; keep the dotted local part X-Road uses.
  faultCode = faultCode.replace(/^[A-Za-z_][\w.-]*:/, '');
  return { faultCode, faultString: str ? safeText(str).slice(0, 1000) : '' };
}

function safeText(el: XmlElement): string {
  try {
    return textOf(el).trim();
  } catch {
    return '';
  }
}

/** A SOAP fault whose envelope is not a valid X-Road message (no headers), read with the plain parser. */
function bareFault(res: PostResult, limits: XmlLimits): { code: string; fields: { faultCode: string; faultString: string } } | undefined {
  if (res.status < 400) return undefined;
  try {
    const root = parseXml(decodeUtf8(res.body), limits);
    if (root.ns !== NS.soapenv || root.local !== 'Envelope') return undefined;
    const body = firstChild(root, NS.soapenv, 'Body');
    const wrapper = body?.children.find((n): n is XmlElement => n.kind === 'element');
    const f = wrapper ? faultOf(wrapper) : undefined;
    return f ? { code: f.faultCode, fields: f } : undefined;
  } catch {
    return undefined;
  }
}
