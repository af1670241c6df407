import { loadConfig } from '../../../server/config';
import { DEFAULT_CALENDAR_POLICY, calendarPolicyFromConfig } from '../../../server/calendar/policy';

describe('calendar settings', () => {
  test('the defaults give the default policy (15:00 paper cut-off, no online cut-off, 480-minute day)', () => {
    expect(calendarPolicyFromConfig(loadConfig({}))).toEqual(DEFAULT_CALENDAR_POLICY);
  });

  test('cut-offs are read as Việt Nam times of day, empty meaning none', () => {
    const policy = calendarPolicyFromConfig(loadConfig({ INTAKE_PAPER_CUTOFF: '', INTAKE_ONLINE_CUTOFF: '16:30', WORKING_DAY_MINUTES: '420' }));
    expect(policy.intake).toEqual({ paperCutoffMinutes: null, onlineCutoffMinutes: 990 });
    expect(policy.deadlines.workingDayMinutes).toBe(420);
  });

  test.each([
    ['INTAKE_PAPER_CUTOFF', '3pm', 'must be a time HH:MM or empty'],
    ['INTAKE_ONLINE_CUTOFF', '24:00', 'must be a time HH:MM or empty'],
    ['WORKING_DAY_MINUTES', '8.5', 'must be an integer'],
    ['SLA_DUE_SOON_PERCENT', '120', 'must be at most 100'],
  ])('%s=%j is refused: %s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name} ${message}`);
  });
});
