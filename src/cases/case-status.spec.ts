/** The case state machine: the table docs/cases.md draws, and properties of any walk through it. */
import fc from 'fast-check';
import { allowedNextStatuses, CASE_STATUS_TRANSITIONS, INITIAL_CASE_STATUS, isAllowedTransition } from './case-status';
import { CASE_STATUSES, type CaseStatus } from '../contract/case-vocabulary';

describe('case status transitions', () => {
  it('is the table of docs/cases.md (States), plus closing an assessed case', () => {
    expect(CASE_STATUS_TRANSITIONS).toEqual({
      OPEN: ['ASSESSING'],
      ASSESSING: ['PROTECTION_ACTIVE', 'CLOSED'],
      PROTECTION_ACTIVE: ['MONITORING'],
      MONITORING: ['PROTECTION_ACTIVE', 'CLOSED'],
      CLOSED: ['MONITORING'],
    });
  });

  it('never allows staying put, going back to OPEN, or an unlisted move', () => {
    for (const from of CASE_STATUSES) {
      expect(isAllowedTransition(from, from)).toBe(false);
      expect(isAllowedTransition(from, 'OPEN')).toBe(false);
      for (const to of CASE_STATUSES) expect(isAllowedTransition(from, to)).toBe(allowedNextStatuses(from).includes(to));
    }
  });

  it('reaches every status from OPEN and can always leave CLOSED (reopen to MONITORING)', () => {
    const reached = new Set<CaseStatus>([INITIAL_CASE_STATUS]);
    const queue: CaseStatus[] = [INITIAL_CASE_STATUS];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const to of allowedNextStatuses(next)) {
        if (!reached.has(to)) {
          reached.add(to);
          queue.push(to);
        }
      }
    }
    expect([...reached].sort()).toEqual([...CASE_STATUSES].sort());
    expect(allowedNextStatuses('CLOSED')).toEqual(['MONITORING']);
  });

  it('keeps any sequence of requested moves inside the table, never back to OPEN (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CASE_STATUSES), { maxLength: 40 }), (requests) => {
        let status: CaseStatus = INITIAL_CASE_STATUS;
        let moved = false;
        for (const to of requests) {
          if (isAllowedTransition(status, to)) {
            status = to;
            moved = true;
          }
        }
        // Once a case has left OPEN it never comes back to it.
        return CASE_STATUSES.includes(status) && (status !== 'OPEN' || !moved);
      }),
    );
  });
});
