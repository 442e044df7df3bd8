import { MalformedInputError } from '../../crypto/protocol-errors';
import type { JsonValue } from '../crypto/field-envelopes';
import { assertContentChanges, contentOfFields, fieldsOfContent, type SealedRevisionType } from './record-types';

interface Applicant {
  applicant: { name: string; passport?: string };
  purpose?: string;
  itinerary?: JsonValue;
}

const isNamed = (value: JsonValue): boolean => typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.name === 'string';

const VISA: SealedRevisionType<Applicant> = {
  entity: 'visa_request',
  fields: {
    applicant: { field: 'applicant', required: true, accepts: isNamed, expected: 'an applicant' },
    purpose: { field: 'purpose', required: false },
    itinerary: { field: 'travel_itinerary', required: false },
  },
};

describe('record types: content and sealed fields', () => {
  it('maps content to sealed fields in declaration order, in their JSON form, null sealed as a value', () => {
    const fields = fieldsOfContent(VISA, { itinerary: null, purpose: 'hearing', applicant: { name: 'A', passport: undefined } });
    expect(Object.keys(fields)).toEqual(['applicant', 'purpose', 'travel_itinerary']);
    expect(fields).toEqual({ applicant: { name: 'A' }, purpose: 'hearing', travel_itinerary: null });
  });

  it('refuses a content property the type does not declare, and a missing required field', () => {
    expect(() => fieldsOfContent(VISA, { applicant: { name: 'A' }, notes: 'x' } as Applicant)).toThrow(new MalformedInputError('a visa_request has no sealed field notes'));
    expect(() => fieldsOfContent(VISA, { purpose: 'x' } as Applicant)).toThrow(new MalformedInputError('applicant is required'));
  });

  it('opens fields into content: unknown fields ignored, a missing required or unaccepted value refused', () => {
    expect(contentOfFields(VISA, { applicant: { name: 'A' }, travel_itinerary: ['x'], added_later: 1 })).toEqual({ applicant: { name: 'A' }, itinerary: ['x'] });
    expect(() => contentOfFields(VISA, { purpose: 'x' })).toThrow(new MalformedInputError('the applicant field is missing'));
    expect(() => contentOfFields(VISA, { applicant: 'A' })).toThrow(new MalformedInputError('the applicant field is not an applicant'));
  });

  it('lets changes remove optional fields only, and name declared properties only', () => {
    expect(() => assertContentChanges(VISA, { purpose: null, itinerary: 'by road' })).not.toThrow();
    expect(() => assertContentChanges(VISA, { applicant: null })).toThrow(new MalformedInputError('applicant cannot be removed'));
    expect(() => assertContentChanges(VISA, { stamp: 'x' } as Partial<Applicant>)).toThrow(MalformedInputError);
  });
});
