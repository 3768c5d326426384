import { expect } from 'chai';
import { AppError } from '../../../src/errors/app-error.js';
import {
  INFRA_OPERATIONS,
  assertInfraAccess,
  decideInfraAccess,
  infraAclEntries,
  infraRoleOf,
  subjectMemberOf,
  type InfraOperation,
} from '../../../src/registries/infra/infra-roles.js';
import { INFRA_CLIENTS, INFRA_ROLES_CONFIG } from '../../../fixtures/infra/sample-element.js';

const element = { subjectMember: subjectMemberOf(INFRA_CLIENTS.subject) };

/** Expected decision per operation for: own subject, another subsystem of it, other ministry, authorized body, operator, commercial. */
const EXPECTED: Record<InfraOperation, [boolean, boolean, boolean, boolean, boolean, boolean]> = {
  submitRegistrationNotice: [true, true, false, false, false, false],
  forwardNotice: [false, false, false, true, false, false],
  grantInputAccess: [false, false, false, false, true, false],
  submitElementData: [true, true, false, false, false, false],
  decideRegistration: [false, false, false, false, true, false],
  updateElement: [true, true, false, false, false, false],
  submitDeregistrationNotice: [true, true, false, false, false, false],
  deregisterElement: [false, false, false, false, true, false],
  getElement: [true, true, false, true, true, false],
  listElements: [true, true, false, true, true, false],
  getAttachment: [true, true, false, true, true, false],
  overdueReport: [false, false, false, true, true, false],
};

const CALLERS = [
  INFRA_CLIENTS.subject,
  INFRA_CLIENTS.subjectOtherSubsystem,
  INFRA_CLIENTS.otherMinistry,
  INFRA_CLIENTS.authorizedBody,
  INFRA_CLIENTS.operator,
  INFRA_CLIENTS.commercial,
];

describe('infra roles', () => {
  it('names the role of each client from configuration and member class', () => {
    expect(infraRoleOf(INFRA_CLIENTS.operator, INFRA_ROLES_CONFIG)).to.equal('operator');
    expect(infraRoleOf(INFRA_CLIENTS.authorizedBody, INFRA_ROLES_CONFIG)).to.equal('authorizedBody');
    expect(infraRoleOf(INFRA_CLIENTS.subject, INFRA_ROLES_CONFIG)).to.equal('subject');
    expect(infraRoleOf(INFRA_CLIENTS.otherMinistry, INFRA_ROLES_CONFIG)).to.equal('subject');
    expect(infraRoleOf(INFRA_CLIENTS.commercial, INFRA_ROLES_CONFIG)).to.equal('other');
    // Another subsystem of the operator's member is not the operator: roles are per subsystem.
    expect(infraRoleOf('central-server/GOV/70000098/other-subsystem', INFRA_ROLES_CONFIG)).to.equal('subject');
  });

  it('the organisation is the subject, whatever its subsystem', () => {
    expect(subjectMemberOf(INFRA_CLIENTS.subject)).to.equal('central-server/GOV/70000060');
    expect(subjectMemberOf(INFRA_CLIENTS.subjectOtherSubsystem)).to.equal(subjectMemberOf(INFRA_CLIENTS.subject));
  });

  it('decides the ACL matrix for subject, authorized body, operator and other ministry on an element', () => {
    expect(Object.keys(EXPECTED).sort()).to.deep.equal([...INFRA_OPERATIONS].sort());
    for (const op of INFRA_OPERATIONS) {
      const got = CALLERS.map((c) => decideInfraAccess(op, c, INFRA_ROLES_CONFIG, element).allowed);
      expect(got, op).to.deep.equal(EXPECTED[op]);
    }
  });

  it('without an element, answers whether the role may call the operation at all', () => {
    // The other ministry may submit its own notices and read its own elements.
    expect(decideInfraAccess('submitRegistrationNotice', INFRA_CLIENTS.otherMinistry, INFRA_ROLES_CONFIG).allowed).to.equal(true);
    expect(decideInfraAccess('getElement', INFRA_CLIENTS.otherMinistry, INFRA_ROLES_CONFIG).allowed).to.equal(true);
    expect(decideInfraAccess('decideRegistration', INFRA_CLIENTS.otherMinistry, INFRA_ROLES_CONFIG).allowed).to.equal(false);
    expect(decideInfraAccess('getElement', INFRA_CLIENTS.commercial, INFRA_ROLES_CONFIG).allowed).to.equal(false);
  });

  it('a refusal says who may act, in three languages', () => {
    try {
      assertInfraAccess('decideRegistration', INFRA_CLIENTS.subject, INFRA_ROLES_CONFIG, element);
      expect.fail('should be refused');
    } catch (e) {
      const err = e as AppError;
      expect(err.code).to.equal('ACCESS_DENIED');
      expect(err.text.en).to.contain('the registry operator');
      expect(err.text.ru).to.contain('оператор Реестра');
      expect(err.text.ky).to.contain('Реестрдин оператору');
    }
  });

  it('gives the transport ACL entries matching the matrix', () => {
    const acl = infraAclEntries(INFRA_ROLES_CONFIG);
    expect(acl[INFRA_CLIENTS.operator]['egov-infra-registry']).to.deep.equal(['grantInputAccess', 'decideRegistration', 'deregisterElement', 'getElement', 'listElements']);
    expect(acl[INFRA_CLIENTS.authorizedBody]['egov-infra-registry']).to.deep.equal(['forwardNotice', 'getElement', 'listElements']);
    expect(acl['*']['egov-infra-registry']).to.deep.equal(['submitRegistrationNotice', 'submitElementData', 'updateElement', 'submitDeregistrationNotice', 'getElement', 'listElements']);
    expect(Object.keys(acl)).to.have.length(3);
  });
});
