import { expect } from 'chai';
import { buildXRoadHeaders, HeaderError, readXRoadHeaders, type HeaderFailure } from '../../../src/xroad/headers.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { childElements } from '../../../src/xroad/xml/dom.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import { expectRefusal, requestHeaders } from './helpers.js';

const DECLS = `xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}" xmlns:repr="${NS.repr}"`;
const CLIENT = '<xrd:client id:objectType="SUBSYSTEM"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000030</id:memberCode><id:subsystemCode>portal</id:subsystemCode></xrd:client>';
const SERVICE = '<xrd:service id:objectType="SERVICE"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000099</id:memberCode><id:subsystemCode>pd-holders-registry</id:subsystemCode><id:serviceCode>getHolder</id:serviceCode><id:serviceVersion>v1</id:serviceVersion></xrd:service>';
const REST = '<xrd:id>4894e35d-bf0f-44a6-867a-8e51f1daa7e0</xrd:id><xrd:protocolVersion>4.0</xrd:protocolVersion>';

function read(inner: string): ReturnType<typeof readXRoadHeaders> {
  return readXRoadHeaders(childElements(parseXml(`<h ${DECLS}>${inner}</h>`)));
}

function refused(inner: string, field: string, reason: HeaderFailure): void {
  expectRefusal(() => read(inner), HeaderError, (e) => [e.field, e.reason], [field, reason]);
}

describe('xroad headers (message protocol 4.0)', () => {
  it('reads the required and optional headers, leaving unknown ones alone', () => {
    const h = read(
      `${CLIENT}${SERVICE}<xrd:userId>KG21203199000123</xrd:userId>${REST}<xrd:issue>case 7/2025</xrd:issue>` +
        '<repr:representedParty><repr:partyClass>COM</repr:partyClass><repr:partyCode>01234567890123</repr:partyCode></repr:representedParty><x:other xmlns:x="urn:x"/>',
    );
    expect(h).to.deep.equal({
      client: { objectType: 'SUBSYSTEM', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000030', subsystemCode: 'portal' },
      service: { objectType: 'SERVICE', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000099', subsystemCode: 'pd-holders-registry', serviceCode: 'getHolder', serviceVersion: 'v1' },
      id: '4894e35d-bf0f-44a6-867a-8e51f1daa7e0',
      protocolVersion: '4.0',
      userId: 'KG21203199000123',
      issue: 'case 7/2025',
      representedParty: { partyClass: 'COM', partyCode: '01234567890123' },
    });
  });

  it('accepts a MEMBER client and a service without subsystem or version', () => {
    const client = '<xrd:client id:objectType="MEMBER"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>COM</id:memberClass><id:memberCode>1234</id:memberCode></xrd:client>';
    const service = '<xrd:service id:objectType="SERVICE"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000099</id:memberCode><id:serviceCode>getHolder</id:serviceCode></xrd:service>';
    const h = read(client + service + REST);
    expect(h.client).to.deep.equal({ objectType: 'MEMBER', xRoadInstance: 'central-server', memberClass: 'COM', memberCode: '1234' });
    expect(h.service.subsystemCode).to.equal(undefined);
  });

  it('requires client, service, id and protocolVersion 4.0', () => {
    refused(SERVICE + REST, 'xrd:client', 'MISSING');
    refused(CLIENT + REST, 'xrd:service', 'MISSING');
    refused(CLIENT + SERVICE + '<xrd:protocolVersion>4.0</xrd:protocolVersion>', 'xrd:id', 'MISSING');
    refused(CLIENT + SERVICE + '<xrd:id>1</xrd:id>', 'xrd:protocolVersion', 'MISSING');
    refused(CLIENT + SERVICE + '<xrd:id>1</xrd:id><xrd:protocolVersion>3.1</xrd:protocolVersion>', 'xrd:protocolVersion', 'UNSUPPORTED_PROTOCOL_VERSION');
    // A known header in the wrong namespace is not that header.
    refused(CLIENT.replace(/xrd:client/g, 'client') + SERVICE + REST, 'xrd:client', 'MISSING');
  });

  it('checks objectType', () => {
    refused(CLIENT.replace('SUBSYSTEM', 'SERVICE') + SERVICE + REST, 'xrd:client/@id:objectType', 'INVALID_OBJECT_TYPE');
    refused(CLIENT + SERVICE.replace('"SERVICE"', '"SUBSYSTEM"') + REST, 'xrd:service/@id:objectType', 'INVALID_OBJECT_TYPE');
    refused(CLIENT.replace(' id:objectType="SUBSYSTEM"', ' objectType="SUBSYSTEM"') + SERVICE + REST, 'xrd:client/@id:objectType', 'INVALID_OBJECT_TYPE');
  });

  it('checks identifier characters (§2.7), with no trimming', () => {
    refused(CLIENT.replace('70000030', '7000/0030') + SERVICE + REST, 'xrd:client/id:memberCode', 'INVALID_IDENTIFIER');
    refused(CLIENT.replace('70000030', ' 70000030') + SERVICE + REST, 'xrd:client/id:memberCode', 'INVALID_IDENTIFIER');
    refused(CLIENT + SERVICE.replace('getHolder', 'get_holder') + REST, 'xrd:service/id:serviceCode', 'INVALID_IDENTIFIER');
    refused(CLIENT.replace('portal', '') + SERVICE + REST, 'xrd:client/id:subsystemCode', 'INVALID_IDENTIFIER');
  });

  it('checks the identifier structure', () => {
    refused(CLIENT.replace('<id:subsystemCode>portal</id:subsystemCode>', '') + SERVICE + REST, 'xrd:client/id:subsystemCode', 'MISSING');
    refused(CLIENT.replace('SUBSYSTEM', 'MEMBER') + SERVICE + REST, 'xrd:client/id:subsystemCode', 'INVALID_STRUCTURE');
    refused(CLIENT.replace('<id:memberClass>GOV</id:memberClass><id:memberCode>70000030</id:memberCode>', '<id:memberCode>70000030</id:memberCode><id:memberClass>GOV</id:memberClass>') + SERVICE + REST, 'xrd:client/id:memberClass', 'INVALID_STRUCTURE');
    refused(CLIENT.replace('<id:memberCode>70000030</id:memberCode>', '<id:memberCode>7<b/>0</id:memberCode>') + SERVICE + REST, 'xrd:client/id:memberCode', 'INVALID_STRUCTURE');
    refused(CLIENT.replace('</xrd:client>', '<id:serviceCode>x</id:serviceCode></xrd:client>') + SERVICE + REST, 'xrd:client/id:serviceCode', 'INVALID_STRUCTURE');
  });

  it('refuses a known header twice', () => {
    refused(CLIENT + CLIENT + SERVICE + REST, 'xrd:client', 'DUPLICATE');
    refused(CLIENT + SERVICE + REST + '<xrd:id>2</xrd:id>', 'xrd:id', 'DUPLICATE');
  });

  it('refuses blank or padded free-text values', () => {
    refused(CLIENT + SERVICE + '<xrd:id> </xrd:id><xrd:protocolVersion>4.0</xrd:protocolVersion>', 'xrd:id', 'INVALID_VALUE');
    refused(CLIENT + SERVICE + REST + '<xrd:userId>KG1\n</xrd:userId>', 'xrd:userId', 'INVALID_VALUE');
  });

  it('bounds xrd:userId to the 255 characters the stores keep (found by fuzzing: a longer one failed the log append)', () => {
    refused(CLIENT + SERVICE + REST + `<xrd:userId>${'x'.repeat(256)}</xrd:userId>`, 'xrd:userId', 'INVALID_VALUE');
    expect(read(CLIENT + SERVICE + REST + `<xrd:userId>${'x'.repeat(255)}</xrd:userId>`).userId).to.have.length(255);
    refused(CLIENT + SERVICE + REST + `<xrd:issue>${'x'.repeat(1025)}</xrd:issue>`, 'xrd:issue', 'INVALID_VALUE');
    expect(read(CLIENT + SERVICE + REST + `<xrd:issue>${'x'.repeat(1024)}</xrd:issue>`).issue).to.have.length(1024);
  });

  it('builds standalone headers that read back to the same values', () => {
    const h = { ...requestHeaders(), issue: 'a & b', representedParty: { partyCode: '01234567890123' } };
    const built = buildXRoadHeaders(h);
    expect(built.map((x) => parseXml(x).name)).to.deep.equal(['xrd:client', 'xrd:service', 'xrd:id', 'xrd:userId', 'xrd:issue', 'xrd:protocolVersion', 'repr:representedParty']);
    expect(readXRoadHeaders(built.map((x) => parseXml(x)))).to.deep.equal(h);
    expect(() => buildXRoadHeaders({ ...h, client: { ...h.client, memberCode: 'a/b' } })).to.throw(HeaderError);
  });
});
