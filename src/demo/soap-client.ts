import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { KeyStore } from '../pki/key-store.js';
import { subjectAttr, TrustStore } from '../pki/trust-store.js';
import { buildSignedRequest, readFault, swaMultipart, xroadId, xroadServiceId, type FaultInfo } from '../xroad/client-request.js';
import { parseEnvelope, verifyEnvelope, type ReceivedEnvelope } from '../xroad/envelope.js';
import { decodeBody, encodeWrapper, objectShapeOf } from '../xroad/schema-xml.js';

/**
 * A small signed-SOAP client for the demos: it plays a client's security server against
 * POST /xroad — builds the X-Road headers, signs with the calling member's development key,
 * sends (SwA multipart when there are files), verifies the response signature against the
 * development CA and the echoed xrd:id, and decodes the answer with the operation's schema.
 */

/** Something the newcomer must fix (adapter not running, no certificates, an unexpected fault). */
export class DemoError extends Error {
  constructor(
    message: string,
    readonly fault?: FaultInfo,
  ) {
    super(message);
    this.name = 'DemoError';
  }
}

export interface DemoFile {
  contentId: string;
  contentType: string;
  bytes: Buffer;
}

export interface SoapCall<O> {
  /** Calling subsystem, instance/class/code/subsystem. */
  client: string;
  /** Member whose key signs; the client's member by default. */
  signer?: string;
  /** Provider subsystem, instance/class/code/subsystem. */
  provider: string;
  serviceCode: string;
  namespace: string;
  input: z.ZodType;
  output: z.ZodType<O>;
  value: unknown;
  userId?: string;
  /** Sent as SwA parts covered by the signature; the body refers to them as `cid:<contentId>`. */
  files?: DemoFile[];
}

interface Answer {
  messageId: string;
  httpStatus: number;
  /** Subject CN of the certificate that signed the response (member code), when it verified. */
  signedBy?: string;
  signatureError?: string;
}

export type SoapOutcome<O> = (Answer & { ok: true; output: O }) | (Answer & { ok: false; fault: FaultInfo });

export interface SoapClientOptions {
  /** Base URL of the adapter, e.g. http://localhost:8080. */
  url: string;
  /** Folder with the development CA (ca.crt) and member keys (member-<code>.key/.crt). */
  certsDir: string;
}

export class SignedSoapClient {
  readonly endpoint: string;
  private readonly keys: KeyStore;
  private readonly trust: TrustStore;

  constructor(opts: SoapClientOptions) {
    this.endpoint = `${opts.url.replace(/\/+$/, '')}/xroad`;
    const ca = path.join(opts.certsDir, 'ca.crt');
    if (!fs.existsSync(ca)) {
      throw new DemoError(`no development certificates in ${opts.certsDir} (ca.crt is missing): start the adapter once with \`npm start\`, which generates them, or set CERTS_DIR to the adapter's certificate folder`);
    }
    this.keys = new KeyStore(opts.certsDir);
    this.trust = new TrustStore([fs.readFileSync(ca, 'utf8')]);
  }

  async call<O>(c: SoapCall<O>): Promise<SoapOutcome<O>> {
    const messageId = crypto.randomUUID();
    const envelope = buildSignedRequest({
      client: xroadId(c.client),
      service: xroadServiceId(c.provider, c.serviceCode),
      id: messageId,
      ...(c.userId ? { userId: c.userId } : {}),
      bodyXml: encodeWrapper(c.serviceCode, c.namespace, c.value, objectShapeOf(c.input, 'input'), 'ns'),
      signer: this.keys.identity(c.signer ?? c.client.split('/')[2]),
      attachments: c.files,
    });
    const message = c.files?.length ? swaMultipart(envelope, c.files) : { body: Buffer.from(envelope, 'utf8'), contentType: 'text/xml; charset=utf-8' };
    let res: Response;
    try {
      res = await fetch(this.endpoint, { method: 'POST', body: new Uint8Array(message.body), headers: { 'content-type': message.contentType } });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new DemoError(`cannot reach ${this.endpoint} (${cause?.code ?? cause?.message ?? (e as Error).message}): is the adapter running? Start it with \`npm start\` in another terminal, or pass --url`);
    }
    const text = await res.text();
    let env: ReceivedEnvelope;
    try {
      env = parseEnvelope(text);
    } catch (e) {
      throw new DemoError(`${c.serviceCode}: HTTP ${res.status} from ${this.endpoint} is not a SOAP message (${(e as Error).message}): is this the registry adapter?`);
    }
    const answer: Answer = { messageId, httpStatus: res.status };
    try {
      const v = verifyEnvelope(env, { trust: this.trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60, signerRole: 'service' });
      answer.signedBy = subjectAttr(v.signer.subject, 'CN')[0];
    } catch (e) {
      answer.signatureError = (e as Error).message;
    }
    if (env.headers && env.headers.id !== messageId) throw new DemoError(`${c.serviceCode}: the response echoes xrd:id ${env.headers.id}, not ${messageId}`);
    const wrapper = env.bodyWrapper;
    if (!wrapper) throw new DemoError(`${c.serviceCode}: the response Body must hold exactly one element`);
    const fault = readFault(wrapper);
    if (fault) return { ...answer, ok: false, fault };
    // Data is only acted on when the provider's signature over it verified.
    if (answer.signatureError) throw new DemoError(`${c.serviceCode}: the response signature does not verify: ${answer.signatureError}`);
    if (wrapper.ns !== c.namespace || wrapper.local !== `${c.serviceCode}Response`) throw new DemoError(`${c.serviceCode}: unexpected response element {${wrapper.ns}}${wrapper.local}`);
    const output = c.output.parse(decodeBody(wrapper, objectShapeOf(c.output, 'output'), { namespace: c.namespace }));
    return { ...answer, ok: true, output };
  }
}

/** One printed step of a demo, and what the tests assert. */
export interface DemoStep {
  operation: string;
  messageId: string;
  ok: boolean;
  /** The response's signature verified against the development CA, and who signed it. */
  signatureVerified: boolean;
  signedBy?: string;
  faultCode?: string;
  detailCode?: string;
  summary: string[];
}

export type Print = (line: string) => void;

/** Prints a step as a short block: number, operation, xrd:id and signature, then its outcome lines. */
export function printStep(print: Print, n: number, label: string, outcome: SoapOutcome<unknown>, summary: string[]): DemoStep {
  const sig = outcome.signedBy ? `response signed by member ${outcome.signedBy}, signature verified` : `response NOT verified: ${outcome.signatureError ?? 'unsigned'}`;
  print(`${n}. ${label}`);
  print(`   xrd:id ${outcome.messageId} · HTTP ${outcome.httpStatus} · ${sig}`);
  for (const line of summary) print(`   → ${line}`);
  return {
    operation: label.split(' ')[0],
    messageId: outcome.messageId,
    ok: outcome.ok,
    signatureVerified: outcome.signedBy !== undefined,
    ...(outcome.signedBy ? { signedBy: outcome.signedBy } : {}),
    ...(outcome.ok ? {} : { faultCode: outcome.fault.faultCode, ...(outcome.fault.detailCode ? { detailCode: outcome.fault.detailCode } : {}) }),
    summary,
  };
}

/**
 * The demos' step that must succeed: prints the outcome as the next of `steps` and returns its
 * output; a fault is printed as well, then thrown as an unexpectedFault.
 */
export function stepRunner(print: Print, steps: DemoStep[]): <O>(label: string, outcome: SoapOutcome<O>, summary: (o: O) => string[]) => O {
  return (label, outcome, summary) => {
    if (!outcome.ok) {
      steps.push(printStep(print, steps.length + 1, label, outcome, [`fault ${outcome.fault.faultCode}: ${outcome.fault.messages.en ?? outcome.fault.faultString}`]));
      throw unexpectedFault(label, outcome.fault);
    }
    steps.push(printStep(print, steps.length + 1, label, outcome, summary(outcome.output)));
    return outcome.output;
  };
}

/** A fault the demo did not expect, as a DemoError naming the step, code, message and fields. */
export function unexpectedFault(step: string, fault: FaultInfo): DemoError {
  const fields = fault.fields.length ? ` (fields: ${fault.fields.map((f) => `${f.name}: ${f.reason}`).join(', ')})` : '';
  return new DemoError(`${step} failed: ${fault.faultCode}${fault.detailCode ? ` / ${fault.detailCode}` : ''}: ${fault.messages.en ?? fault.faultString}${fields}`, fault);
}
