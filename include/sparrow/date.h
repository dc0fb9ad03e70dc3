/* Calendar dates, timestamps and day-count conventions.
 *
 * sp_date counts days since 1970-01-01 (proleptic Gregorian). sp_time
 * counts seconds since 1970-01-01T00:00:00Z. Business dates are in China
 * Standard Time (UTC+08:00, no daylight saving): a business day runs from
 * local midnight to local midnight. */
#ifndef SPARROW_DATE_H
#define SPARROW_DATE_H

#include <stdint.h>

#include "sparrow/error.h"

typedef int32_t sp_date;
typedef int64_t sp_time;

#define SP_TZ_OFFSET_S 28800 /* UTC+08:00 */
#define SP_DAY_S 86400
#define SP_DATE_MIN_YEAR 1900
#define SP_DATE_MAX_YEAR 2200

typedef enum sp_daycount {
  SP_DAYCOUNT_ACT_360 = 0, /* actual days / 360: 日利率 = 年利率 / 360 */
  SP_DAYCOUNT_ACT_365,     /* actual days / 365 (fixed) */
  SP_DAYCOUNT_30_360       /* 30/360 bond basis (ISDA 30/360) */
} sp_daycount;

/* Validates year (SP_DATE_MIN_YEAR..SP_DATE_MAX_YEAR), month and day. */
int sp_date_from_ymd(int year, int month, int day, sp_date *out);
void sp_date_to_ymd(sp_date date, int *year, int *month, int *day);
int sp_date_days_in_month(int year, int month);

/* Parses exactly "YYYY-MM-DD"; a date that does not exist is an error. */
int sp_date_parse(const char *text, const char *field, sp_date *out,
                  sp_error *err);

/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void sp_date_format(sp_date date, char buf[11]);

/* The same day of month `months` later, clamped to the month's end
 * (2026-01-31 + 1 month = 2026-02-28). */
sp_date sp_date_add_months(sp_date date, int months);

/* 0 = Monday ... 6 = Sunday. */
int sp_date_weekday(sp_date date);

/* Day-count numerator between two dates, and the year basis. */
int64_t sp_daycount_days(sp_daycount dc, sp_date from, sp_date to);
int32_t sp_daycount_basis(sp_daycount dc);
int sp_daycount_parse(const char *text, const char *field, sp_daycount *out,
                      sp_error *err);
const char *sp_daycount_name(sp_daycount dc);

/* Start of a business day (local midnight), and the business day of a
 * moment. */
sp_time sp_date_start(sp_date date);
sp_date sp_time_date(sp_time t);

/* Parses ISO 8601 "YYYY-MM-DDTHH:MM:SS" with "Z" or "+HH:MM"/"-HH:MM"
 * (no offset means local business time), or a bare date (its midnight). */
int sp_time_parse(const char *text, const char *field, sp_time *out,
                  sp_error *err);

/* Writes "YYYY-MM-DDTHH:MM:SS+08:00" (26 bytes with NUL). */
void sp_time_format(sp_time t, char buf[32]);

#endif
