import { expect } from 'chai';
import { WorkingCalendar } from '../../../src/calendar/working-calendar.js';
import { silentLogger } from '../../../src/log/logger.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import type { Store } from '../../../src/store/store.js';
import { createInfraRegistry } from '../../../src/registries/infra/create-infra-registry.js';
import { objectShapeOf } from '../../../src/xroad/schema-xml.js';
import { FakeBis } from '../../../fixtures/infra/fake-bis.js';
import { INFRA_ROLES_CONFIG } from '../../../fixtures/infra/sample-element.js';

const CONTRACT_OPERATIONS = [
  'submitRegistrationNotice',
  'forwardNotice',
  'grantInputAccess',
  'submitElementData',
  'decideRegistration',
  'updateElement',
  'submitDeregistrationNotice',
  'deregisterElement',
  'getElement',
  'listElements',
];

describe('infra operations', () => {
  // The group is built without touching the store; a stand-in proves nothing reaches it here.
  const store = { knex: (() => { throw new Error('no store in this test'); }) as unknown, client: 'sqlite' } as unknown as Store;
  const { group, operatorOperations } = createInfraRegistry({
    store,
    bis: new FakeBis(),
    calendar: new WorkingCalendar({ holidays: [], workingWeekends: [] }),
    logger: silentLogger(),
    roles: INFRA_ROLES_CONFIG,
  });

  it('is the egov-infra-registry group with the ten operations of CONTRACT §5', () => {
    expect(group.subsystem).to.equal('egov-infra-registry');
    expect(group.namespace).to.equal('urn:kg:egov:infra-registry:v1');
    expect(group.operations.map((o) => o.serviceCode)).to.deep.equal(CONTRACT_OPERATIONS);
    expect(() => new OperationTable().register(group)).to.not.throw();
  });

  it('titles every operation in ky, ru and en, and binds each to /api/v1 without clashes', () => {
    const routes = new Set<string>();
    for (const op of [group, ...group.operations]) for (const lang of ['ky', 'ru', 'en'] as const) expect(op.title[lang]).to.be.a('string').and.not.equal('');
    for (const op of group.operations) {
      expect(op.version).to.equal('v1');
      expect(op.rest, op.serviceCode).to.not.equal(undefined);
      const key = `${op.rest!.method} ${op.rest!.path}`;
      expect(routes.has(key), key).to.equal(false);
      routes.add(key);
      // Path params must be input fields.
      const inputFields = objectShapeOf(op.input, 'input').props.map((p) => p.name);
      for (const m of op.rest!.path.matchAll(/:([A-Za-z]+)/g)) expect(inputFields, op.serviceCode).to.include(m[1]);
      expect(op.kind).to.equal(op.rest!.method === 'GET' ? 'read' : 'write');
    }
  });

  it('has input and output schemas the SOAP mapping can express', () => {
    for (const op of group.operations) {
      expect(() => objectShapeOf(op.input, 'input'), op.serviceCode).to.not.throw();
      expect(() => objectShapeOf(op.output, 'output'), op.serviceCode).to.not.throw();
      for (const f of op.attachmentFields ?? []) expect(objectShapeOf(op.input, 'input').props.map((p) => p.name), op.serviceCode).to.include(f);
    }
  });

  it('serves the overdue report beside the group, outside its WSDL', () => {
    expect(operatorOperations.map((o) => [o.serviceCode, o.kind, o.rest?.method, o.rest?.path])).to.deep.equal([['listOverdueElements', 'read', 'GET', '/elements-reports/overdue']]);
    expect(group.operations.map((o) => o.serviceCode)).to.not.include('listOverdueElements');
    expect(() => objectShapeOf(operatorOperations[0].output, 'output')).to.not.throw();
  });
});
