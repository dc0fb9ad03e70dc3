/* Check characters of Chinese organisation identifiers.
 *
 * A unified social credit code (GB 32100-2015) is 18 characters: the
 * registering authority (9: market regulation), the entity type (1:
 * enterprise, 2: individual business), the 6-digit administrative
 * division, the 9-character organisation code (GB 11714-1997: 8 characters
 * and a check), and a check character over the first 17. The alphabet is
 * the digits and the capitals without I, O, Z, S and V, valued 0..30 in
 * that order; the weights are 3^i mod 31. The organisation code's own
 * check values letters A..Z as 10..35. */
#include <assert.h>
#include <string.h>

#include "synth_int.h"

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char c) {
  const char *p = c ? strchr(uscc_alphabet, c) : NULL;
  return p ? (int)(p - uscc_alphabet) : -1;
}

char sp_synth_credit_code_check(const char *code17) {
  assert(sizeof uscc_alphabet - 1 == 31);
  int sum = 0, weight = 1;
  for (int i = 0; i < 17; i++) {
    int v = uscc_value(code17[i]);
    if (v < 0)
      return 0;
    sum += v * weight;
    weight = weight * 3 % 31;
  }
  return uscc_alphabet[(31 - sum % 31) % 31];
}

int sp_synth_credit_code_valid(const char *code) {
  if (strlen(code) != 18)
    return 0;
  char check = sp_synth_credit_code_check(code);
  return check != 0 && check == code[17];
}

char sp_synth_org_code_check(const char *body8) {
  static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; i++) {
    char c = body8[i];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : -1;
    if (v < 0)
      return 0;
    sum += v * weights[i];
  }
  int check = 11 - sum % 11;
  assert(check >= 1 && check <= 11);
  return check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
}
