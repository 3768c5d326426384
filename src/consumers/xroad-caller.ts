import type { XmlElement } from '../xroad/xml/types.js';
import type { BreakerState } from './resilience.js';

/** One consumed X-Road call, as the MoJ and BIS clients describe it. */
export interface XRoadCall<T> {
  serviceCode: string;
  /** The request wrapper element (the only child of soapenv:Body), serialised. */
  bodyXml: string;
  /**
   * Reads the verified response wrapper. Runs inside the attempt, so a malformed body is logged
   * with its exchange and counted by the breaker; throw UpstreamError('malformed', …) to refuse it.
   */
  decode(wrapper: XmlElement): T;
  /** The end user's PIN, sent as xrd:userId. */
  userId?: string;
  requestId?: string;
  /** Data subjects the exchange concerns, for the exchange log. */
  subjects?: Array<{ kind: 'inn' | 'pin'; value: string }>;
  /** Reads are retried on transport errors and 5xx; anything else is sent once. */
  idempotent: boolean;
}

export interface XRoadReply<T> {
  value: T;
  /** xrd:id of the exchange. */
  messageId: string;
}

/** An X-Road client bound to one provider subsystem, with its resilience policy. Throws UpstreamError. */
export interface XRoadCaller {
  /** instance/class/code/subsystem/serviceCode of a service of this provider. */
  serviceId(serviceCode: string): string;
  call<T>(call: XRoadCall<T>): Promise<XRoadReply<T>>;
  state(): BreakerState;
}
