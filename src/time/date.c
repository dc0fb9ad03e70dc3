/* Civil dates as day numbers, business time in UTC+08:00, and day counts.
 *
 * Day numbers use the well-known era decomposition of the proleptic
 * Gregorian calendar (400-year eras of 146097 days), so conversion is a
 * few integer operations with no tables and no loops. */
#include "sparrow/date.h"

#include <assert.h>
#include <string.h>

#include "core/digits.h"

static int is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sp_date_days_in_month(int year, int month) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  assert(month >= 1 && month <= 12);
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

static sp_date days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;                                  /* [0, 399] */
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
  return era * 146097 + doe - 719468;
}

int sp_date_from_ymd(int year, int month, int day, sp_date *out) {
  if (year < SP_DATE_MIN_YEAR || year > SP_DATE_MAX_YEAR)
    return SP_ERANGE;
  if (month < 1 || month > 12)
    return SP_EINVAL;
  if (day < 1 || day > sp_date_days_in_month(year, month))
    return SP_EINVAL;
  *out = days_from_civil(year, month, day);
  return SP_OK;
}

void sp_date_to_ymd(sp_date date, int *year, int *month, int *day) {
  int z = date + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  *year = yoe + era * 400 + (m <= 2);
  *month = m;
  *day = d;
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

static int parse_ymd(const char *s, sp_date *out) {
  int y, m, d;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
      digits(s + 8, 2, &d))
    return SP_EPARSE;
  return sp_date_from_ymd(y, m, d, out);
}

int sp_date_parse(const char *text, const char *field, sp_date *out,
                  sp_error *err) {
  assert(out != NULL);
  if (text == NULL || strlen(text) != 10)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: '%s' is not a date like 2026-01-15", field,
                        text ? text : "");
  int rc = parse_ymd(text, out);
  if (rc == SP_EPARSE)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: '%s' is not a date like 2026-01-15", field, text);
  if (rc == SP_ERANGE)
    return sp_error_set(err, SP_ERANGE, field,
                        "%s: year of '%s' is outside %d..%d", field, text,
                        SP_DATE_MIN_YEAR, SP_DATE_MAX_YEAR);
  if (rc != SP_OK)
    return sp_error_set(err, SP_EINVAL, field, "%s: '%s' does not exist", field,
                        text);
  return SP_OK;
}

void sp_date_format(sp_date date, char buf[11]) {
  int y, m, d;
  sp_date_to_ymd(date, &y, &m, &d);
  /* "YYYY-MM-DD", without printf (every answer has dates) */
  sp_digits_fixed((unsigned)y, 4, buf);
  buf[4] = '-';
  sp_digits_fixed((unsigned)m, 2, buf + 5);
  buf[7] = '-';
  sp_digits_fixed((unsigned)d, 2, buf + 8);
  buf[10] = '\0';
}

sp_date sp_date_add_months(sp_date date, int months) {
  int y, m, d;
  sp_date_to_ymd(date, &y, &m, &d);
  int idx = y * 12 + (m - 1) + months;
  y = idx / 12;
  m = idx % 12 + 1;
  int dim = sp_date_days_in_month(y, m);
  return days_from_civil(y, m, d > dim ? dim : d);
}

int sp_date_weekday(sp_date date) {
  /* 1970-01-01 was a Thursday (3 when Monday is 0). */
  int w = (date + 3) % 7;
  return w < 0 ? w + 7 : w;
}

int64_t sp_daycount_days(sp_daycount dc, sp_date from, sp_date to) {
  if (dc != SP_DAYCOUNT_30_360)
    return (int64_t)to - from;
  int y1, m1, d1, y2, m2, d2;
  sp_date_to_ymd(from, &y1, &m1, &d1);
  sp_date_to_ymd(to, &y2, &m2, &d2);
  /* 30/360 bond basis: D1 = 31 -> 30; D2 = 31 and D1 >= 30 -> 30. */
  if (d1 == 31)
    d1 = 30;
  if (d2 == 31 && d1 >= 30)
    d2 = 30;
  return 360 * (int64_t)(y2 - y1) + 30 * (m2 - m1) + (d2 - d1);
}

int32_t sp_daycount_basis(sp_daycount dc) {
  return dc == SP_DAYCOUNT_ACT_365 ? 365 : 360;
}

static const char *const daycount_names[] = {"ACT/360", "ACT/365", "30/360"};

const char *sp_daycount_name(sp_daycount dc) {
  assert((unsigned)dc < 3);
  return daycount_names[dc];
}

int sp_daycount_parse(const char *text, const char *field, sp_daycount *out,
                      sp_error *err) {
  for (int i = 0; i < 3; i++) {
    if (text != NULL && strcasecmp(text, daycount_names[i]) == 0) {
      *out = (sp_daycount)i;
      return SP_OK;
    }
  }
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: unknown day count '%s' (ACT/360, ACT/365, 30/360)",
                      field, text ? text : "");
}

sp_time sp_date_start(sp_date date) {
  return (sp_time)date * SP_DAY_S - SP_TZ_OFFSET_S;
}

sp_date sp_time_date(sp_time t) {
  sp_time local = t + SP_TZ_OFFSET_S;
  sp_time day = local / SP_DAY_S;
  if (local % SP_DAY_S < 0)
    day -= 1;
  return (sp_date)day;
}

int sp_time_parse(const char *text, const char *field, sp_time *out,
                  sp_error *err) {
  assert(out != NULL);
  size_t n = text ? strlen(text) : 0;
  sp_date date;
  if (n < 10 || parse_ymd(text, &date) != SP_OK)
    goto bad;
  if (n == 10) {
    *out = sp_date_start(date);
    return SP_OK;
  }
  int hh, mm, ss;
  if (n < 19 || text[10] != 'T' || digits(text + 11, 2, &hh) ||
      text[13] != ':' || digits(text + 14, 2, &mm) || text[16] != ':' ||
      digits(text + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
    goto bad;
  int64_t offset_s = SP_TZ_OFFSET_S;
  const char *z = text + 19;
  if (strcmp(z, "Z") == 0) {
    offset_s = 0;
  } else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
    int oh, om;
    if (digits(z + 1, 2, &oh) || digits(z + 4, 2, &om) || oh > 14 || om > 59)
      goto bad;
    offset_s = (z[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  } else if (z[0] != '\0') {
    goto bad;
  }
  *out = (sp_time)date * SP_DAY_S + hh * 3600 + mm * 60 + ss - offset_s;
  return SP_OK;
bad:
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: '%s' is not a time like 2026-01-15T09:30:00+08:00",
                      field, text ? text : "");
}

void sp_time_format(sp_time t, char buf[32]) {
  sp_date d = sp_time_date(t);
  sp_time s = t + SP_TZ_OFFSET_S - (sp_time)d * SP_DAY_S;
  assert(s >= 0 && s < SP_DAY_S);
  sp_date_format(d, buf); /* "YYYY-MM-DDThh:mm:ss+08:00" */
  buf[10] = 'T';
  sp_digits_fixed((unsigned)(s / 3600), 2, buf + 11);
  buf[13] = ':';
  sp_digits_fixed((unsigned)(s / 60 % 60), 2, buf + 14);
  buf[16] = ':';
  sp_digits_fixed((unsigned)(s % 60), 2, buf + 17);
  memcpy(buf + 19, "+08:00", 7);
}
