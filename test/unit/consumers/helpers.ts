import { parseXml } from '../../../src/xroad/xml/parser.js';
import type { XRoadCall, XRoadCaller, XRoadReply } from '../../../src/consumers/xroad-caller.js';

/** A scripted X-Road caller: each call takes the next step (an answer's body XML, or an error to throw). */
export class FakeCaller implements XRoadCaller {
  calls: Array<XRoadCall<unknown>> = [];
  constructor(
    public steps: Array<string | Error>,
    private readonly provider = 'central-server/GOV/70000024/minjust-service',
  ) {}
  serviceId(code: string): string {
    return `${this.provider}/${code}`;
  }
  state(): 'closed' {
    return 'closed';
  }
  async call<T>(c: XRoadCall<T>): Promise<XRoadReply<T>> {
    this.calls.push(c as XRoadCall<unknown>);
    const step = this.steps.shift();
    if (step === undefined) throw new Error('no more scripted answers');
    if (step instanceof Error) throw step;
    return { value: c.decode(parseXml(step)), messageId: `id-${this.calls.length}` };
  }
}

/** The rejection of a promise that must reject. */
export async function rejection<E = Error>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a rejection');
}
