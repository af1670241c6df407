/**
 * The calendar's two kinds of refusal, each with a Vietnamese message that names the value:
 * a bad input (not an integer, not a date, unknown unit) and a range the calendar does not cover.
 */
export class CalendarInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarInputError';
  }
}

export class CalendarRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarRangeError';
  }
}
