/* API keys and roles: a key ring loaded from a JSON file (key -> role) or
 * made of random development keys, and constant-time lookup. */
#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/svc.h"

static const char *const role_names[SP_ROLE_COUNT] = {
    "applicant_app", "loan_officer", "risk_manager", "auditor", "admin"};

struct sp_keyring {
  size_t n;
  struct {
    char key[SP_KEY_LEN_MAX + 1];
    sp_role role;
  } keys[SP_KEYS_MAX];
};

const char *sp_role_name(sp_role role) {
  assert((unsigned)role < SP_ROLE_COUNT);
  return role_names[role];
}

int sp_role_parse(const char *text, const char *field, sp_role *out,
                  sp_error *err) {
  for (int i = 0; i < SP_ROLE_COUNT; i++)
    if (strcmp(text, role_names[i]) == 0) {
      *out = (sp_role)i;
      return SP_OK;
    }
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: unknown role '%.40s' (applicant_app, "
                      "loan_officer, risk_manager, auditor, admin)",
                      field, text);
}

int sp_role_sees_personal(sp_role role) {
  return role == SP_ROLE_LOAN_OFFICER || role == SP_ROLE_AUDITOR ||
         role == SP_ROLE_ADMIN;
}

static int add_key(sp_keyring *kr, const char *key, sp_role role,
                   sp_error *err) {
  size_t len = strlen(key);
  if (len < SP_KEY_LEN_MIN || len > SP_KEY_LEN_MAX)
    return sp_error_set(err, SP_EINVAL, "keys",
                        "keys: a key must have %d to %d characters",
                        SP_KEY_LEN_MIN, SP_KEY_LEN_MAX);
  for (size_t i = 0; i < len; i++)
    if (key[i] <= ' ' || key[i] > '~')
      return sp_error_set(err, SP_EINVAL, "keys",
                          "keys: a key must be printable ASCII");
  if (kr->n == SP_KEYS_MAX)
    return sp_error_set(err, SP_ELIMIT, "keys", "keys: at most %d keys",
                        SP_KEYS_MAX);
  memcpy(kr->keys[kr->n].key, key, len + 1);
  kr->keys[kr->n++].role = role;
  return SP_OK;
}

int sp_keyring_load(const char *path, sp_keyring **out, sp_error *err) {
  json_error_t je;
  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (doc == NULL)
    return sp_error_set_at(err, SP_EPARSE, "keys", je.line, je.column,
                           "--keys: %s: %s", path, je.text);
  sp_keyring *kr = calloc(1, sizeof *kr);
  int rc = kr ? SP_OK : sp_error_set(err, SP_ENOMEM, "keys", "out of memory");
  if (rc == SP_OK && !json_is_object(doc))
    rc = sp_error_set(err, SP_EINVAL, "keys",
                      "--keys: an object of key -> role");
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) {
    sp_role role = SP_ROLE_APPLICANT_APP;
    if (rc != SP_OK)
      break;
    if (!json_is_string(v))
      rc = sp_error_set(err, SP_EINVAL, "keys", "--keys: a role name string");
    else if ((rc = sp_role_parse(json_string_value(v), "--keys", &role, err)) ==
             SP_OK)
      rc = add_key(kr, key, role, err);
  }
  json_decref(doc);
  if (rc == SP_OK && kr->n == 0)
    rc = sp_error_set(err, SP_EINVAL, "keys", "--keys: no keys");
  if (rc != SP_OK) {
    free(kr);
    return rc;
  }
  *out = kr;
  return SP_OK;
}

int sp_keyring_dev(sp_keyring **out, sp_error *err) {
  sp_keyring *kr = calloc(1, sizeof *kr);
  if (kr == NULL)
    return sp_error_set(err, SP_ENOMEM, "keys", "out of memory");
  FILE *f = fopen("/dev/urandom", "rb");
  unsigned char raw[SP_ROLE_COUNT][16];
  int ok = f != NULL && fread(raw, 1, sizeof raw, f) == sizeof raw;
  if (f != NULL)
    fclose(f);
  if (!ok) {
    free(kr);
    return sp_error_set(err, SP_EIO, "keys", "cannot read /dev/urandom");
  }
  for (int r = 0; r < SP_ROLE_COUNT; r++) {
    char key[64];
    int at = snprintf(key, sizeof key, "dev-%s-", role_names[r]);
    for (int i = 0; i < 16; i++)
      at += snprintf(key + at, sizeof key - (size_t)at, "%02x", raw[r][i]);
    int rc = add_key(kr, key, (sp_role)r, err);
    assert(rc == SP_OK);
    (void)rc;
  }
  *out = kr;
  return SP_OK;
}

void sp_keyring_free(sp_keyring *kr) { free(kr); }

size_t sp_keyring_count(const sp_keyring *kr) { return kr->n; }

const char *sp_keyring_key(const sp_keyring *kr, size_t i, sp_role *role) {
  assert(i < kr->n);
  *role = kr->keys[i].role;
  return kr->keys[i].key;
}

/* Compares every stored key in full, so that the time taken does not say
 * how much of a guess was right. */
int sp_keyring_lookup(const sp_keyring *kr, const char *key, sp_role *out) {
  size_t len = strnlen(key, SP_KEY_LEN_MAX + 1);
  int found = -1;
  for (size_t i = 0; i < kr->n; i++) {
    const char *k = kr->keys[i].key;
    unsigned diff = (unsigned)(strlen(k) != len);
    for (size_t j = 0; j <= SP_KEY_LEN_MAX; j++) {
      unsigned char a = j < len ? (unsigned char)key[j] : 0;
      diff |= (unsigned)(a ^ (unsigned char)k[j]);
      if (k[j] == '\0')
        break;
    }
    if (diff == 0)
      found = (int)i;
  }
  if (found < 0)
    return SP_ENOTFOUND;
  *out = kr->keys[found].role;
  return SP_OK;
}
