/**
 * Valid new cases for the case tests: clear fields that pass validation and sealed
 * content with a recognisable marker, so that a test states only what matters to it.
 */
import type { NewCase } from '../../src/client/case-flow';

export function newCase(marker: string, overrides: Partial<NewCase> = {}): NewCase {
  return {
    riskLevel: 'HIGH',
    threatTypes: ['JUDICIAL_HARASSMENT', 'SURVEILLANCE'],
    defenderGroups: ['ENVIRONMENTAL_LAND'],
    countryOfActivity: 'KE',
    nextReviewAt: '2030-01-15T00:00:00.000Z',
    consentToTransfer: true,
    consentToRefugeSharing: false,
    content: {
      identity: { fullName: `Defender ${marker}`, passportNumbers: [`P-${marker}`] },
      narrative: `Narrative of ${marker}`,
    },
    ...overrides,
  };
}
