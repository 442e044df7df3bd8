import { ROLES } from '../contract/roles';
import { scopeAssignmentErrors } from './users.policy';

const EMBASSY = '3f0e1d2c-1b2a-4c3d-8e4f-5a6b7c8d9e0f';
const ORGANISATION = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

describe('scopeAssignmentErrors', () => {
  it('accepts exactly the scope each role needs', () => {
    expect(scopeAssignmentErrors({ role: 'EMBASSY_CONTACT', embassyId: EMBASSY, organisationId: null })).toEqual([]);
    expect(scopeAssignmentErrors({ role: 'NGO', embassyId: null, organisationId: ORGANISATION })).toEqual([]);
    for (const role of ['ADMIN', 'AUDITOR', 'COORDINATOR'] as const) {
      expect(scopeAssignmentErrors({ role, embassyId: null, organisationId: null })).toEqual([]);
    }
  });

  it('names every field that is missing or out of place, for every role', () => {
    for (const role of ROLES) {
      const fields = scopeAssignmentErrors({ role, embassyId: EMBASSY, organisationId: ORGANISATION }).map((error) => error.field);
      expect({ role, fields }).toEqual({
        role,
        fields: role === 'EMBASSY_CONTACT' ? ['organisationId'] : role === 'NGO' ? ['embassyId'] : ['embassyId', 'organisationId'],
      });
    }
    expect(scopeAssignmentErrors({ role: 'EMBASSY_CONTACT', embassyId: null, organisationId: null })).toEqual([
      { field: 'embassyId', messages: ['embassyId is required for role EMBASSY_CONTACT'] },
    ]);
    expect(scopeAssignmentErrors({ role: 'NGO', embassyId: null, organisationId: null }).map((error) => error.field)).toEqual(['organisationId']);
  });
});
