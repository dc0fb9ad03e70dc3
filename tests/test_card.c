/* Scorecards: value parsing, WOE and IV, AUC and KS, IRLS, scaling,
 * monotone binning, loading and the errors.
 *
 * Expected values are computed by hand in the comments beside them (WOE
 * and IV of a three-level table, AUC and KS of five scores, the PDO
 * scaling and a hand-written card's score and pd), or by scikit-learn's
 * LogisticRegression, run here with Debian's /usr/bin/python3, for the
 * IRLS coefficients (skipped when sklearn is absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/card_int.h"
#include "sparrow/scorecard.h"

static void test_parse_value(void **state) {
  (void)state;
  static const struct {
    const char *text;
    sp_card_value kind;
    double value;
  } cases[] = {
      {"$60,000.00 ", SP_CARD_NUMBER, 60000},
      {"  1,234.50", SP_CARD_NUMBER, 1234.5},
      {"-$1,234.5", SP_CARD_NUMBER, -1234.5},
      {"$-7", SP_CARD_NUMBER, -7},
      {"\xC2\xA5"
       "88",
       SP_CARD_NUMBER, 88}, /* yen sign */
      {"12.5%", SP_CARD_NUMBER, 12.5},
      {"1e3", SP_CARD_NUMBER, 1000},
      {"0", SP_CARD_NUMBER, 0},
      {"", SP_CARD_MISSING, 0},
      {"   ", SP_CARD_MISSING, 0},
      {"NA", SP_CARD_MISSING, 0},
      {"nan", SP_CARD_MISSING, 0},
      {"?", SP_CARD_MISSING, 0},
      {"N/A", SP_CARD_MISSING, 0},
      {"abc", SP_CARD_TEXT, 0},
      {"1,,2", SP_CARD_TEXT, 0},
      {",5", SP_CARD_TEXT, 0},
      {"12abc", SP_CARD_TEXT, 0},
      {"inf", SP_CARD_TEXT, 0},
      {"$", SP_CARD_TEXT, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double v = -1;
    sp_card_value k =
        sp_card_parse_value(cases[i].text, strlen(cases[i].text), &v);
    if (k != cases[i].kind)
      fail_msg("'%s': kind %d, want %d", cases[i].text, k, cases[i].kind);
    if (k == SP_CARD_NUMBER)
      assert_float_equal(v, cases[i].value, 1e-12);
  }
}

/* A table: x is A (30 good, 10 bad), B (20, 20), C (10, 30). */
static sp_card_table *abc_table(void) {
  static char text[8192];
  size_t used = (size_t)snprintf(text, sizeof text, "x,y\n");
  static const struct {
    const char *level;
    int goods, bads;
  } rows[] = {{"A", 30, 10}, {"B", 20, 20}, {"C", 10, 30}};
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < rows[i].goods + rows[i].bads; k++)
      used += (size_t)snprintf(text + used, sizeof text - used, "%s,%s\n",
                               rows[i].level, k < rows[i].bads ? "bad" : "ok");
  sp_card_table *t = NULL;
  assert_int_equal(sp_card_table_read_text(text, used, &t, NULL), SP_OK);
  assert_int_equal(sp_card_table_rows(t), 120);
  return t;
}

static const card_bin *bin_of_level(const card_char *c, const char *level) {
  for (int i = 0; i < c->n_levels; i++)
    if (strcmp(c->levels[i].text, level) == 0)
      return &c->bins[c->levels[i].bin];
  fail_msg("no level %s", level);
  return NULL;
}

static void test_woe_iv(void **state) {
  (void)state;
  sp_card_table *t = abc_table();
  sp_card_options o;
  sp_card_options_init(&o);
  o.target = "y";
  o.bad_value = "bad";
  o.validation = 0;
  sp_card *card = NULL;
  sp_card_report rep;
  sp_error err;
  assert_int_equal(sp_card_train(t, &o, &card, &rep, NULL, &err), SP_OK);
  assert_int_equal(card->n_chars, 1);
  const card_char *c = &card->chars[0];
  assert_true(c->is_category);
  /* G = B = 60, N = 120; smoothing adds 0.5 * 60 / 120 = 0.25 to each
   * cell: WOE_A = ln(30.25 / 10.25) = 1.0822, WOE_B = ln(20.25 / 20.25) =
   * 0, WOE_C = -1.0822. IV = 2 * (20 / 60) * ln(30.25 / 10.25). */
  assert_float_equal(bin_of_level(c, "A")->woe, log(30.25 / 10.25), 1e-12);
  assert_float_equal(bin_of_level(c, "B")->woe, 0, 1e-12);
  assert_float_equal(bin_of_level(c, "C")->woe, log(10.25 / 30.25), 1e-12);
  assert_int_equal(bin_of_level(c, "A")->goods, 30);
  assert_int_equal(bin_of_level(c, "C")->bads, 30);
  assert_float_equal(c->iv, 2.0 * 20 / 60 * log(30.25 / 10.25), 1e-12);
  assert_float_equal(sp__card_woe(0, 0, 60, 60), 0, 1e-15);
  assert_int_equal(rep.train_rows, 120);
  assert_int_equal(rep.train_bads, 60);
  sp_card_free(card);
  sp_card_table_free(t);
}

static void test_auc_ks(void **state) {
  (void)state;
  /* Lower score = riskier. Goods at 3 and 5, bads at 1, 2, 4: the good
   * scores above a bad score in 2 + 3 of 6 pairs, AUC 5/6. Cumulative
   * shares in score order: bads 1/3, 2/3, 2/3, 1, 1; goods 0, 0, 1/2,
   * 1/2, 1: KS = 2/3. */
  double s[] = {1, 2, 3, 4, 5};
  unsigned char bad[] = {1, 1, 0, 1, 0};
  assert_float_equal(sp_card_auc(s, bad, 5), 5.0 / 6, 1e-12);
  assert_float_equal(sp_card_ks(s, bad, 5), 2.0 / 3, 1e-12);
  /* Ties: (1 bad, 1 good) and (2 bad, 2 good): pairs 0.5 + 0 + 1 + 0.5 of
   * 4, AUC 1/2; KS 0 at every threshold. */
  double t[] = {1, 1, 2, 2};
  unsigned char tb[] = {1, 0, 1, 0};
  assert_float_equal(sp_card_auc(t, tb, 4), 0.5, 1e-12);
  assert_float_equal(sp_card_ks(t, tb, 4), 0, 1e-12);
  unsigned char none[] = {0, 0, 0, 0};
  assert_true(isnan(sp_card_auc(t, none, 4)));
}

static double uniform(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*s >> 11) * 0x1.0p-53;
}

/* IRLS against scikit-learn's LogisticRegression (newton-cg, tol 1e-10),
 * unpenalised and with C = 0.5 (lambda = 1 / C = 2). */
static void test_irls_sklearn(void **state) {
  (void)state;
  if (access("/usr/bin/python3", X_OK) != 0 ||
      system("/usr/bin/python3 -c 'import sklearn' 2>/dev/null") != 0)
    skip();
  enum { N = 300 };
  static double x[N * 2];
  static unsigned char y[N];
  uint64_t seed = 7;
  char path[] = "/tmp/test_card_irls_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  for (int i = 0; i < N; i++) {
    x[2 * i] = -2 + 4 * uniform(&seed);
    x[2 * i + 1] = -1 + 4 * uniform(&seed);
    double eta = 0.5 + 1.2 * x[2 * i] - 0.8 * x[2 * i + 1];
    y[i] = uniform(&seed) < 1 / (1 + exp(-eta));
    fprintf(f, "%.17g,%.17g,%d\n", x[2 * i], x[2 * i + 1], y[i]);
  }
  fclose(f);
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 -c '"
           "import sys, warnings, numpy as np\n"
           "warnings.simplefilter(\"ignore\")\n"
           "from sklearn.linear_model import LogisticRegression as L\n"
           "d = np.loadtxt(sys.argv[1], delimiter=\",\")\n"
           "for p, c in ((None, 1.0), (\"l2\", 0.5)):\n"
           "  m = L(penalty=p, C=c, solver=\"newton-cg\", tol=1e-10, "
           "max_iter=1000).fit(d[:, :2], d[:, 2])\n"
           "  print(\"%%.12f %%.12f %%.12f\" %% (m.intercept_[0], *m.coef_[0]))"
           "' %s",
           path);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  double want[2][3];
  for (int r = 0; r < 2; r++)
    assert_int_equal(
        fscanf(p, "%lf %lf %lf", &want[r][0], &want[r][1], &want[r][2]), 3);
  assert_int_equal(pclose(p), 0);
  unlink(path);
  double lambda[2] = {0, 2};
  for (int r = 0; r < 2; r++) {
    double beta[3];
    assert_int_equal(sp__card_irls(x, y, N, 2, lambda[r], beta, NULL, NULL),
                     SP_OK);
    for (int j = 0; j < 3; j++)
      assert_float_equal(beta[j], want[r][j], 1e-6);
  }
  /* One class only is refused. */
  unsigned char zeros[N] = {0};
  double beta[3];
  sp_error err;
  assert_int_equal(sp__card_irls(x, zeros, N, 2, 0, beta, NULL, &err),
                   SP_ERANGE);
  assert_string_equal(err.field, "fit");
}

/* A hand-written card: base points 500, x under 10 scores 10 points, 10 or
 * more 40, missing 0; band A/B 5 points, C (and unseen) 25. */
static const char hand_card[] =
    "{\"format\":\"sparrow-scorecard\",\"version\":1,"
    "\"scaling\":{\"pdo\":20,\"base_score\":600,\"base_odds\":50},"
    "\"base_points\":500,\"characteristics\":["
    "{\"name\":\"x\",\"type\":\"number\",\"bins\":["
    "{\"missing\":true,\"goods\":0,\"bads\":0,\"woe\":0,\"points\":0},"
    "{\"low\":null,\"high\":10,\"goods\":5,\"bads\":5,\"woe\":0,\"points\":10},"
    "{\"low\":10,\"high\":null,\"goods\":9,\"bads\":1,\"woe\":1,"
    "\"points\":40}]},"
    "{\"name\":\"band\",\"type\":\"category\",\"bins\":["
    "{\"missing\":true,\"goods\":1,\"bads\":1,\"woe\":0,\"points\":0},"
    "{\"levels\":[\"B\",\"A\"],\"goods\":5,\"bads\":5,\"woe\":0,\"points\":5},"
    "{\"levels\":[\"C\"],\"other\":true,\"goods\":9,\"bads\":1,\"woe\":1,"
    "\"points\":25}]}]}";

static void test_scaling_and_scoring(void **state) {
  (void)state;
  sp_card *card = NULL;
  sp_error err;
  assert_int_equal(sp_card_load_text(hand_card, strlen(hand_card), &card, &err),
                   SP_OK);
  /* factor = 20 / ln 2 = 28.853900817779268; offset = 600 - factor * ln 50
   * = 600 - 28.8539008178 * 3.9120230054 = 487.1228762046. */
  assert_float_equal(sp_card_factor(card), 28.853900817779268, 1e-9);
  assert_float_equal(sp_card_offset(card), 487.1228762046, 1e-8);
  const char *header[] = {"id", "band", "x"};
  size_t column_of[2];
  assert_int_equal(sp_card_map_header(card, header, 3, column_of, &err), SP_OK);
  assert_int_equal(column_of[0], 2);
  assert_int_equal(column_of[1], 1);
  /* x = "$15" (40) and band C (25): 565 points. Odds at 565 = 50 *
   * 2^((565 - 600) / 20) = 50 * 2^-1.75 = 14.8650889; pd = 1 / 15.8650889. */
  const char *row[] = {"7", "C", "$15"};
  int bins[2];
  double points[2];
  sp_card_result r = sp_card_score_row(card, column_of, row, 3, bins, points);
  assert_float_equal(r.points, 565, 1e-12);
  assert_float_equal(r.pd, 1 / (1 + 50 * pow(2, -1.75)), 1e-12);
  /* x = 5 (10) and band A (5): 515 = 600 - 85; odds 50 * 2^-4.25. The
   * reasons: x is 30 below its best, band 20 below its best. */
  const char *row2[] = {"8", "A", "5"};
  r = sp_card_score_row(card, column_of, row2, 3, bins, points);
  assert_float_equal(r.points, 515, 1e-12);
  assert_float_equal(r.pd, 1 / (1 + 50 * pow(2, -4.25)), 1e-12);
  size_t why[4];
  assert_int_equal(sp_card_reasons(card, bins, 4, why), 2);
  assert_int_equal(why[0], 0);
  assert_int_equal(why[1], 1);
  char text[128];
  sp_card_reason_text(card, why[0], bins[why[0]], text, sizeof text);
  assert_string_equal(text, "x: under 10 (-30 points)");
  sp_card_reason_text(card, why[1], bins[why[1]], text, sizeof text);
  assert_string_equal(text, "band: A, B (-20 points)");
  /* An unseen level goes to the other bin; a missing x to bins[0]. */
  const char *row3[] = {"9", "Z", "NA"};
  r = sp_card_score_row(card, column_of, row3, 3, bins, points);
  assert_float_equal(r.points, 525, 1e-12);
  assert_int_equal(bins[0], 0);
  assert_int_equal(bins[1], 2);
  sp_card_free(card);
}

/* 4000 rows, x = 0..99 repeating: bad often at both ends (a U shape). */
static sp_card_table *u_table(void) {
  static char text[65536];
  size_t used = (size_t)snprintf(text, sizeof text, "x,kind,y\n");
  for (int i = 0; i < 4000; i++) {
    int x = i % 100;
    int bad = (x < 20 && i % 3 != 0) || (x >= 80 && i % 2 == 0) || i % 10 == 0;
    used += (size_t)snprintf(text + used, sizeof text - used, "%d,%c,%d\n", x,
                             'a' + i % 3, bad);
  }
  sp_card_table *t = NULL;
  assert_int_equal(sp_card_table_read_text(text, used, &t, NULL), SP_OK);
  return t;
}

/* Direction of the WOE over the range bins: +1 never falls, -1 never
 * rises, 0 both. */
static int woe_direction(const card_char *c) {
  int up = 0, down = 0;
  for (int b = 2; b < c->n_bins; b++) {
    up |= c->bins[b].woe > c->bins[b - 1].woe;
    down |= c->bins[b].woe < c->bins[b - 1].woe;
  }
  return up && !down ? 1 : down && !up ? -1 : 0;
}

static const card_char *train_u(const char *monotone, sp_card **card) {
  sp_card_table *t = u_table();
  sp_card_options o;
  sp_card_options_init(&o);
  o.target = "y";
  o.bad_value = "1";
  o.monotone = monotone;
  sp_error err;
  assert_int_equal(sp_card_train(t, &o, card, NULL, NULL, &err), SP_OK);
  sp_card_table_free(t);
  for (size_t i = 0; i < (*card)->n_chars; i++)
    if (strcmp((*card)->chars[i].name, "x") == 0)
      return &(*card)->chars[i];
  fail_msg("x not in the card");
  return NULL;
}

static void test_monotone(void **state) {
  (void)state;
  sp_card *card = NULL;
  const card_char *c = train_u(NULL, &card);
  assert_int_equal(woe_direction(c), 0); /* the U is kept */
  assert_true(c->n_bins >= 4);
  sp_card_free(card);
  c = train_u("x:+", &card);
  assert_int_equal(c->monotone, 1);
  assert_true(woe_direction(c) >= 0 && c->n_bins >= 3);
  for (int b = 2; b < c->n_bins; b++) /* + means points never fall */
    assert_true(c->bins[b].points >= c->bins[b - 1].points);
  sp_card_free(card);
  c = train_u("x:-", &card);
  assert_true(woe_direction(c) <= 0 && c->n_bins >= 3);
  for (int b = 2; b < c->n_bins; b++)
    assert_true(c->bins[b].points <= c->bins[b - 1].points);
  sp_card_free(card);
}

static int train_error(const char *target, const char *bad,
                       const char *monotone, const char *exclude,
                       sp_error *err) {
  sp_card_table *t = u_table();
  sp_card_options o;
  sp_card_options_init(&o);
  o.target = target;
  o.bad_value = bad;
  o.monotone = monotone;
  o.exclude = exclude;
  sp_card *card = NULL;
  int rc = sp_card_train(t, &o, &card, NULL, NULL, err);
  assert_null(card);
  sp_card_table_free(t);
  return rc;
}

static void test_train_errors(void **state) {
  (void)state;
  sp_error err;
  assert_int_equal(train_error("outcome", "1", NULL, NULL, &err), SP_ENOTFOUND);
  assert_string_equal(err.field, "target");
  assert_non_null(strstr(err.message, "outcome"));
  assert_int_equal(train_error("y", "7", NULL, NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "bad");
  assert_int_equal(train_error("y", "1", "x:*", NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "monotone");
  assert_int_equal(train_error("y", "1", "x", NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "monotone");
  assert_int_equal(train_error("y", "1", "z:+", NULL, &err), SP_ENOTFOUND);
  assert_string_equal(err.field, "monotone");
  assert_int_equal(train_error("y", "1", "kind:+", NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "monotone");
  assert_int_equal(train_error("y", "1", NULL, "x,nope", &err), SP_ENOTFOUND);
  assert_string_equal(err.field, "exclude");
  /* Nothing predictive left once x is excluded: kind is noise. */
  assert_int_equal(train_error("y", "1", NULL, "x,kind", &err), SP_ERANGE);
  assert_string_equal(err.field, "fit");
}

/* Three one-hot columns sum to one: with no correlation filter the third
 * depends linearly on the others and the intercept, and is dropped
 * instead of failing the fit. */
static void test_dependent_columns(void **state) {
  (void)state;
  static char text[65536];
  size_t used = (size_t)snprintf(text, sizeof text, "a,b,c,y\n");
  for (int i = 0; i < 3000; i++) {
    int level = i % 3, bad = (i / 3) % (level + 2) == 0;
    used += (size_t)snprintf(text + used, sizeof text - used, "%d,%d,%d,%d\n",
                             level == 0, level == 1, level == 2, bad);
  }
  sp_card_table *t = NULL;
  assert_int_equal(sp_card_table_read_text(text, used, &t, NULL), SP_OK);
  sp_card_options o;
  sp_card_options_init(&o);
  o.target = "y";
  o.bad_value = "1";
  o.corr_max = 1;
  sp_card *card = NULL;
  sp_card_report rep;
  sp_error err;
  assert_int_equal(sp_card_train(t, &o, &card, &rep, NULL, &err), SP_OK);
  assert_int_equal(rep.candidates, 3);
  assert_int_equal(sp_card_feature_count(card), 2);
  sp_card_free(card);
  sp_card_table_free(t);
}

/* A schema decides types (x, numbers in the data, becomes a category)
 * and protected marks (a protected x is never used). */
static void test_schema(void **state) {
  (void)state;
  static sp_schema schema;
  static const char category[] =
      "{\"features\":[{\"name\":\"x\",\"type\":\"category\","
      "\"source\":\"internal\"}]}";
  static const char protect[] =
      "{\"features\":[{\"name\":\"x\",\"type\":\"number\","
      "\"source\":\"internal\",\"protected\":true}]}";
  sp_card_table *t = u_table();
  sp_card_options o;
  sp_card_options_init(&o);
  o.target = "y";
  o.bad_value = "1";
  o.schema = &schema;
  o.exclude = "kind"; /* kind (i % 3) carries some risk too */
  sp_card *card = NULL;
  sp_error err;
  assert_int_equal(
      sp_schema_load_string(&schema, category, strlen(category), &err), SP_OK);
  assert_int_equal(sp_card_train(t, &o, &card, NULL, NULL, &err), SP_OK);
  assert_int_equal(sp_card_feature_count(card), 1);
  assert_true(card->chars[0].is_category);
  sp_card_free(card);
  assert_int_equal(
      sp_schema_load_string(&schema, protect, strlen(protect), &err), SP_OK);
  assert_int_equal(sp_card_train(t, &o, &card, NULL, NULL, &err), SP_ERANGE);
  assert_string_equal(err.field, "fit");
  o.schema = NULL; /* the same through the option */
  o.protected_columns = "x";
  assert_int_equal(sp_card_train(t, &o, &card, NULL, NULL, &err), SP_ERANGE);
  sp_card_table_free(t);
}

/* A card written and read back scores every row the same. */
static void test_round_trip(void **state) {
  (void)state;
  sp_card *card = NULL, *back = NULL;
  train_u(NULL, &card);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(sp_card_write(card, f, NULL), SP_OK);
  fclose(f);
  sp_error err;
  assert_int_equal(sp_card_load_text(buf, len, &back, &err), SP_OK);
  assert_int_equal(sp_card_feature_count(back), sp_card_feature_count(card));
  const char *header[] = {"x", "kind"};
  size_t col_a[2], col_b[2];
  assert_int_equal(sp_card_map_header(card, header, 2, col_a, &err), SP_OK);
  assert_int_equal(sp_card_map_header(back, header, 2, col_b, &err), SP_OK);
  static const char *const xs[] = {"0", "19.5", "50", "99", "", "zzz", "1e9"};
  static const char *const kinds[] = {"a", "b", "c", "q", ""};
  for (size_t i = 0; i < 7; i++)
    for (size_t k = 0; k < 5; k++) {
      const char *row[] = {xs[i], kinds[k]};
      sp_card_result a = sp_card_score_row(card, col_a, row, 2, NULL, NULL);
      sp_card_result b = sp_card_score_row(back, col_b, row, 2, NULL, NULL);
      assert_float_equal(a.points, b.points, 0);
      assert_float_equal(a.pd, b.pd, 1e-15);
    }
  free(buf);
  sp_card_free(card);
  sp_card_free(back);
}

/* Broken cards: each error names the JSON member. */
static void test_load_errors(void **state) {
  (void)state;
  static const struct {
    const char *from, *to, *field;
    int code;
  } cases[] = {
      {"\"points\":10}", "\"pts\":10}", "characteristics[0].bins[1].points",
       SP_EINVAL},
      {"\"low\":10,", "\"low\":11,", "characteristics[0].bins[2]", SP_ERANGE},
      {"\"sparrow-scorecard\"", "\"other\"", "format", SP_EINVAL},
      {"\"base_odds\":50", "\"base_odds\":0", "scaling.base_odds", SP_ERANGE},
      {"[\"C\"]", "[\"A\"]", "characteristics[1].bins", SP_EINVAL},
      {"\"type\":\"category\"", "\"type\":\"date\"", "characteristics[1].type",
       SP_EINVAL},
      {"\"name\":\"band\"", "\"name\":\"x\"", "characteristics[1]", SP_EEXISTS},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[sizeof hand_card + 64];
    const char *at = strstr(hand_card, cases[i].from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - hand_card), hand_card,
             cases[i].to, at + strlen(cases[i].from));
    sp_card *card = NULL;
    sp_error err;
    int rc = sp_card_load_text(text, strlen(text), &card, &err);
    if (rc != cases[i].code || strcmp(err.field, cases[i].field) != 0)
      fail_msg("case %zu: %d %s (%s)", i, rc, err.field, err.message);
    assert_null(card);
  }
  sp_card *card = NULL;
  sp_error err;
  assert_int_equal(sp_card_load_text("{\"format\":", 10, &card, &err),
                   SP_EPARSE);
  assert_int_equal(err.line, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_value),
      cmocka_unit_test(test_woe_iv),
      cmocka_unit_test(test_auc_ks),
      cmocka_unit_test(test_irls_sklearn),
      cmocka_unit_test(test_scaling_and_scoring),
      cmocka_unit_test(test_monotone),
      cmocka_unit_test(test_train_errors),
      cmocka_unit_test(test_dependent_columns),
      cmocka_unit_test(test_schema),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_load_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
