/* Credit applications: a decision through a decision flow
 * (sparrow/decide.h) on a borrower's consented data, recorded in the
 * service tables (sparrow/svc.h) with everything needed to explain it.
 * The HTTP service and `sparrow demo` both decide through this.
 *
 * The row the flow decides on is assembled column by column. A column
 * whose schema source is one a borrower consents to (tax ... judicial)
 * comes from the borrower's latest data record of that source, and only
 * under a consent for credit decisions valid at the decision's time: a
 * source without one refuses the application and stores nothing. Other
 * columns (bureau, internal, and model features the schema does not name)
 * come from the application's own values. A value absent everywhere is
 * missing, which the rules and the model handle as such.
 *
 * The stored decision document (JSON) holds the decision, score, pd,
 * limit, annual_rate, rules fired, reasons, the score's composition, each
 * source with the consent it was used under, and every feature's value. */
#ifndef SPARROW_APPLY_H
#define SPARROW_APPLY_H

#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/decide.h"
#include "sparrow/error.h"
#include "sparrow/svc.h"

typedef struct sp_applier sp_applier;
struct sp_jr_value;

/* Binds a loaded flow (not owned) to its own columns. One applier is used
 * by one thread at a time. */
int sp_applier_new(sp_flow *flow, sp_applier **out, sp_error *err);
void sp_applier_free(sp_applier *a);

typedef struct sp_apply_request {
  const char *id;          /* application id */
  const char *borrower;    /* a stored borrower */
  int64_t amount_fen;      /* amount asked for (caps the limit), 0: none */
  const char *values_json; /* a JSON object of the application's values,
                              or NULL */
  const struct sp_jr_value *values; /* the same already read (sparrow/jr.h),
                                       used instead of values_json if not
                                       NULL */
  sp_time at;   /* decision time (consents are checked at it) */
  uint64_t gen; /* 0, or the caller's count of changes to this
                   borrower's data (borrower, consents, records):
                   what the applier read of it at the same count
                   is used again, unread */
} sp_apply_request;

typedef struct sp_apply_result {
  sp_decision decision;
  int64_t limit_fen;  /* the decision's limit, capped by amount_fen */
  const char *status; /* "approved", "referred" or "declined" */
  char *doc;          /* the stored decision document; the caller frees it */
} sp_apply_result;

/* Decides the application and stores it in svc. Refusals store nothing:
 * SP_ENOTFOUND naming "borrower"; SP_ESTATE naming "consent" (the source and
 * why in the message); SP_EINVAL naming "values" (not an object, a value that
 * is not a scalar, a value of a consented source given by the application, or
 * one the flow cannot read); SP_EEXISTS naming "id". */
int sp_apply(sp_applier *a, sp_svc *svc, const sp_apply_request *req,
             sp_apply_result *out, sp_error *err);

/* The two halves of sp_apply, for a service that decides on a reader's
 * connection and stores on the writer's: sp_apply_decide reads svc and
 * writes nothing (the refusals above but SP_EEXISTS; on success the caller
 * frees out->doc); sp_apply_record stores a decided application
 * (SP_EEXISTS naming "id"). An applier is used by one thread at a time. */
int sp_apply_decide(sp_applier *a, sp_svc *svc, const sp_apply_request *req,
                    sp_apply_result *out, sp_error *err);
int sp_apply_record(sp_svc *svc, const sp_apply_request *req,
                    const sp_apply_result *res, sp_error *err);

/* The status an outcome gives an application. */
const char *sp_apply_status(sp_decide_outcome outcome);

#endif
