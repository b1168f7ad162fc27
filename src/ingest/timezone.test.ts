import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NEW_YORK, dayClock, localToUtcMs, parseLocalDate, zoneOffsetMs } from './timezone.js';

const H = 3_600_000;

test('New York offsets around the 2013 switches (10 Mar, 3 Nov)', () => {
  assert.equal(zoneOffsetMs(Date.parse('2013-03-10T06:59:59Z'), NEW_YORK), -5 * H);
  assert.equal(zoneOffsetMs(Date.parse('2013-03-10T07:00:00Z'), NEW_YORK), -4 * H);
  assert.equal(zoneOffsetMs(Date.parse('2013-11-03T05:59:59Z'), NEW_YORK), -4 * H);
  assert.equal(zoneOffsetMs(Date.parse('2013-11-03T06:00:00Z'), NEW_YORK), -5 * H);
});

test('ms after midnight New York → UTC, 2013 trading days and switch days', () => {
  // 2013-10-08 (EDT): 09:30:00.464 is 13:30:00.464Z
  assert.equal(localToUtcMs({ year: 2013, month: 10, day: 8 }, 34_200_464, NEW_YORK), Date.parse('2013-10-08T13:30:00.464Z'));
  // 2013-12-02 (EST): 09:30 is 14:30Z
  assert.equal(localToUtcMs({ year: 2013, month: 12, day: 2 }, 9.5 * H, NEW_YORK), Date.parse('2013-12-02T14:30:00Z'));
  // Switch day 2013-03-10: 01:00 is still EST, 03:00 already EDT
  assert.equal(localToUtcMs({ year: 2013, month: 3, day: 10 }, 1 * H, NEW_YORK), Date.parse('2013-03-10T06:00:00Z'));
  assert.equal(localToUtcMs({ year: 2013, month: 3, day: 10 }, 3 * H, NEW_YORK), Date.parse('2013-03-10T07:00:00Z'));
  assert.equal(localToUtcMs({ year: 2013, month: 3, day: 10 }, 9.5 * H, NEW_YORK), Date.parse('2013-03-10T13:30:00Z'));
  // Fall-back day 2013-11-03: 00:30 EDT, 09:30 EST
  assert.equal(localToUtcMs({ year: 2013, month: 11, day: 3 }, 0.5 * H, NEW_YORK), Date.parse('2013-11-03T04:30:00Z'));
  assert.equal(localToUtcMs({ year: 2013, month: 11, day: 3 }, 9.5 * H, NEW_YORK), Date.parse('2013-11-03T14:30:00Z'));
});

test('2024 switches (10 Mar, 3 Nov), the gap and the repeated hour', () => {
  const mar = { year: 2024, month: 3, day: 10 };
  assert.equal(localToUtcMs(mar, 1.5 * H, NEW_YORK), Date.parse('2024-03-10T06:30:00Z'));
  // 02:30 does not exist: resolved with the offset before the switch (EST) → 07:30Z
  assert.equal(localToUtcMs(mar, 2.5 * H, NEW_YORK), Date.parse('2024-03-10T07:30:00Z'));
  assert.equal(localToUtcMs(mar, 3.5 * H, NEW_YORK), Date.parse('2024-03-10T07:30:00Z'));
  const nov = { year: 2024, month: 11, day: 3 };
  // 01:30 happens twice: the first (EDT) occurrence
  assert.equal(localToUtcMs(nov, 1.5 * H, NEW_YORK), Date.parse('2024-11-03T05:30:00Z'));
  assert.equal(localToUtcMs(nov, 2.5 * H, NEW_YORK), Date.parse('2024-11-03T07:30:00Z'));
  assert.equal(localToUtcMs({ year: 2024, month: 11, day: 4 }, 9.5 * H, NEW_YORK), Date.parse('2024-11-04T14:30:00Z'));
});

test('dayClock matches localToUtcMs on ordinary and switch days', () => {
  for (const date of [
    { year: 2013, month: 10, day: 7 },
    { year: 2024, month: 3, day: 10 },
    { year: 2024, month: 11, day: 3 },
  ]) {
    const clock = dayClock(date, NEW_YORK);
    for (const ms of [0, 1.5 * H, 2.5 * H, 9.5 * H + 123, 16 * H, 24 * H - 1]) {
      assert.equal(clock(ms), localToUtcMs(date, ms, NEW_YORK), `${JSON.stringify(date)} +${ms}`);
    }
  }
});

test('Kathmandu is UTC+05:45 without DST', () => {
  assert.equal(localToUtcMs({ year: 2021, month: 1, day: 7 }, 11 * H, 'Asia/Kathmandu'), Date.parse('2021-01-07T05:15:00Z'));
});

test('parseLocalDate accepts real dates only', () => {
  assert.deepEqual(parseLocalDate('20131008'), { year: 2013, month: 10, day: 8 });
  assert.deepEqual(parseLocalDate('2012-06-21'), { year: 2012, month: 6, day: 21 });
  assert.equal(parseLocalDate('20130230'), undefined);
  assert.equal(parseLocalDate('2013108'), undefined);
  assert.equal(parseLocalDate('2013x008'), undefined);
});
