/* sp_aml_detect: index the data once, run each enabled detector, sort.
 *
 * Detectors run in pattern order and share one alert list capped at
 * cfg->alerts_max; reaching the cap is an error (SP_EFULL, field
 * alerts_max) rather than a silently shortened list. */
#include <assert.h>
#include <stdlib.h>

#include "aml/aml_int.h"

static int run(sp_aml_data *d, const sp_aml_config *cfg, sp_aml_alerts *a) {
  int rc = SP_OK;
  unsigned on = cfg->patterns;
  if (rc == SP_OK && (on >> SP_AML_LARGE_VALUE & 1u))
    rc = sp__aml_large_value(d, cfg, a);
  if (rc == SP_OK && (on >> SP_AML_STRUCTURING & 1u))
    rc = sp__aml_structuring(d, cfg, a);
  if (rc == SP_OK && (on >> SP_AML_RAPID_IN_OUT & 1u))
    rc = sp__aml_rapid(d, cfg, a);
  if (rc == SP_OK && (on >> SP_AML_FAN_IN & 1u))
    rc = sp__aml_fan(d, cfg, a, 1);
  if (rc == SP_OK && (on >> SP_AML_FAN_OUT & 1u))
    rc = sp__aml_fan(d, cfg, a, 0);
  if (rc == SP_OK && (on >> SP_AML_CYCLE & 1u))
    rc = sp__aml_cycles(d, cfg, a);
  if (rc == SP_OK && (on >> SP_AML_GUARANTEE_CIRCLE & 3u) && d->n_g > 0)
    rc = sp__aml_guarantees(d, cfg, a);
  if (rc == SP_OK && (on >> SP_AML_LOAN_PURPOSE & 1u))
    rc = sp__aml_purpose(d, cfg, a);
  return rc;
}

int sp_aml_detect(sp_aml_data *d, const sp_aml_config *cfg, sp_aml_alerts **out,
                  sp_error *err) {
  assert(d != NULL && cfg != NULL && out != NULL);
  *out = NULL;
  if (cfg->fan_count_min < 2 || cfg->cycle_hops_min < 2 ||
      cfg->cycle_hops_max > SP_AML_HOPS_MAX ||
      cfg->cycle_hops_min > cfg->cycle_hops_max)
    return sp_error_set(err, SP_EINVAL, "config",
                        "config: fan.count_min >= 2 and 2 <= cycle.hops_min "
                        "<= cycle.hops_max <= %d required",
                        SP_AML_HOPS_MAX);
  sp_aml_alerts *a = calloc(1, sizeof *a);
  if (a == NULL || sp__aml_index(d) != SP_OK) {
    free(a);
    return sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  }
  sp__aml_alerts_init(a, cfg->alerts_max);
  int rc = run(d, cfg, a);
  if (rc != SP_OK) {
    sp_aml_alerts_free(a);
    if (rc == SP_EFULL)
      return sp_error_set(err, rc, "alerts_max",
                          "more than alerts_max = %u alerts; raise it or "
                          "narrow the config",
                          cfg->alerts_max);
    return sp_error_set(err, rc, "detect", "%s", sp_strerror(rc));
  }
  sp__aml_alerts_sort(a, d);
  *out = a;
  return SP_OK;
}
