/* The decision assets that go with the synthetic portfolio, as JSON text:
 *   - the feature schema of the features CSV (sources, units, ranges; the
 *     legal representative's gender and age band and the region marked
 *     protected, so that neither training nor rules may read them);
 *   - policy rules: knock-outs (tax grade D, court enforcements, under six
 *     months in business, heavy bureau arrears), referrals (declared sales
 *     well below invoiced, grade C, some arrears, falling electricity, high
 *     returns, a cross-border seller without customs activity) and flags;
 *   - a decision flow: score bands, a limit of twice verified monthly sales
 *     (capped, rounded to 1,000.00), prices by band less a green discount
 *     and a guarantee reduction, over a floor. It reads schema.json,
 *     rules.json and card.json (trained by sparrow train) beside it.
 * The score cut-offs suit a card trained with the default scaling (600 at
 * 50:1, 20 points to double the odds) on this portfolio's ~7% bad rate. */
#include "sparrow/synth.h"

static const char schema_json[] =
    "{\"features\":[\n"
    " {\"name\":\"industry\",\"type\":\"category\",\"source\":\"internal\","
    "\"values\":[\"manufacturing\",\"wholesale-retail\",\"catering\","
    "\"agriculture\",\"technology\",\"cross-border-ecommerce\"]},\n"
    " {\"name\":\"monthly_sales\",\"type\":\"number\",\"source\":\"invoice\","
    "\"unit\":\"yuan\",\"min\":0,\"max\":100000000},\n"
    " {\"name\":\"invoice_sales_12m\",\"type\":\"number\",\"source\":"
    "\"invoice\",\"unit\":\"yuan\",\"min\":0,\"max\":1200000000},\n"
    " {\"name\":\"tax_sales_12m\",\"type\":\"number\",\"source\":\"tax\","
    "\"unit\":\"yuan\",\"min\":0,\"max\":1200000000},\n"
    " {\"name\":\"tax_credit_grade\",\"type\":\"category\",\"source\":\"tax\","
    "\"values\":[\"A\",\"B\",\"M\",\"C\",\"D\"]},\n"
    " {\"name\":\"months_in_business\",\"type\":\"number\",\"source\":"
    "\"internal\",\"unit\":\"month\",\"min\":0,\"max\":600},\n"
    " {\"name\":\"social_insurance_headcount\",\"type\":\"number\",\"source\":"
    "\"social_insurance\",\"unit\":\"person\",\"min\":0,\"max\":5000},\n"
    " {\"name\":\"electricity_kwh_trend\",\"type\":\"number\",\"source\":"
    "\"utility\",\"unit\":\"ratio\",\"min\":0,\"max\":10},\n"
    " {\"name\":\"ecommerce_return_rate\",\"type\":\"number\",\"source\":"
    "\"ecommerce\",\"unit\":\"ratio\",\"min\":0,\"max\":1},\n"
    " {\"name\":\"customs_months_active\",\"type\":\"number\",\"source\":"
    "\"customs\",\"unit\":\"month\",\"min\":0,\"max\":24},\n"
    " {\"name\":\"court_enforcements_24m\",\"type\":\"number\",\"source\":"
    "\"judicial\",\"unit\":\"count\",\"min\":0,\"max\":100},\n"
    " {\"name\":\"bureau_overdue_24m\",\"type\":\"number\",\"source\":"
    "\"bureau\",\"unit\":\"month\",\"min\":0,\"max\":24},\n"
    " {\"name\":\"green_rating\",\"type\":\"category\",\"source\":"
    "\"internal\",\"values\":[\"A\",\"B\",\"C\",\"N\"]},\n"
    " {\"name\":\"guarantee_pct\",\"type\":\"number\",\"source\":\"internal\","
    "\"unit\":\"percent\",\"min\":0,\"max\":100},\n"
    " {\"name\":\"legal_rep_gender\",\"type\":\"category\",\"source\":"
    "\"internal\",\"values\":[\"F\",\"M\"],\"protected\":true},\n"
    " {\"name\":\"legal_rep_age_band\",\"type\":\"category\",\"source\":"
    "\"internal\",\"values\":[\"18-29\",\"30-39\",\"40-49\",\"50-59\","
    "\"60+\"],\"protected\":true},\n"
    " {\"name\":\"region\",\"type\":\"category\",\"source\":\"internal\","
    "\"protected\":true}]}\n";

static const char rules_json[] =
    "{\"rules\":[\n"
    " {\"id\":\"D01\",\"when\":\"tax_credit_grade == \\\"D\\\"\","
    "\"outcome\":\"decline\",\"reason\":\"Tax credit grade D\"},\n"
    " {\"id\":\"D02\",\"when\":\"court_enforcements_24m > 0\","
    "\"outcome\":\"decline\","
    "\"reason\":\"Court enforcement in the last 24 months\"},\n"
    " {\"id\":\"D03\",\"when\":\"months_in_business < 6\","
    "\"outcome\":\"decline\",\"reason\":\"Less than six months in business\"},"
    "\n"
    " {\"id\":\"D04\",\"when\":\"bureau_overdue_24m >= 6\","
    "\"outcome\":\"decline\","
    "\"reason\":\"Overdue at the credit bureau in six or more of the last 24 "
    "months\"},\n"
    " {\"id\":\"R01\",\"when\":\"ratio(tax_sales_12m, invoice_sales_12m) < "
    "0.8\",\"outcome\":\"refer\","
    "\"reason\":\"Sales declared for tax well below invoiced sales\"},\n"
    " {\"id\":\"R02\",\"when\":\"tax_credit_grade == \\\"C\\\"\","
    "\"outcome\":\"refer\",\"reason\":\"Tax credit grade C\"},\n"
    " {\"id\":\"R03\",\"when\":\"bureau_overdue_24m >= 2\","
    "\"outcome\":\"refer\","
    "\"reason\":\"Overdue at the credit bureau in two or more months\"},\n"
    " {\"id\":\"R04\",\"when\":\"electricity_kwh_trend < 0.6\","
    "\"outcome\":\"refer\","
    "\"reason\":\"Electricity use down by more than 40%\"},\n"
    " {\"id\":\"R05\",\"when\":\"ecommerce_return_rate > 0.25\","
    "\"outcome\":\"refer\",\"reason\":\"E-commerce return rate above 25%\"},\n"
    " {\"id\":\"R06\",\"when\":\"industry == \\\"cross-border-ecommerce\\\" "
    "and customs_months_active < 3\",\"outcome\":\"refer\","
    "\"reason\":\"Cross-border seller with little customs activity\"},\n"
    " {\"id\":\"F01\",\"when\":\"months_in_business < 12\","
    "\"outcome\":\"flag\",\"reason\":\"Less than a year in business\"},\n"
    " {\"id\":\"F02\",\"when\":\"social_insurance_headcount == 0 and "
    "months_in_business >= 24 and monthly_sales >= 200000\","
    "\"outcome\":\"flag\",\"reason\":\"No staff insured after two years "
    "with sales of 200,000.00 a month\"}]}\n";

static const char flow_json[] =
    "{\"schema\":\"schema.json\",\"rules\":\"rules.json\","
    "\"model\":\"card.json\",\n"
    " \"approve_min\":575,\"refer_min\":550,\n"
    " \"limit\":{\"feature\":\"monthly_sales\",\"multiple\":\"200%\","
    "\"max\":\"3000000.00\",\"min\":\"20000.00\",\"step\":\"1000.00\"},\n"
    " \"pricing\":{\"bands\":[{\"score_min\":620,\"annual_rate\":\"5.5%\"},"
    "{\"score_min\":600,\"annual_rate\":\"7%\"},"
    "{\"score_min\":580,\"annual_rate\":\"9%\"},"
    "{\"score_min\":0,\"annual_rate\":\"12%\"}],\n"
    "  \"green\":{\"feature\":\"green_rating\",\"values\":[\"A\",\"B\"],"
    "\"discount\":\"0.5%\"},\n"
    "  \"guarantee\":{\"feature\":\"guarantee_pct\",\"spread\":\"2%\"},"
    "\"floor\":\"3.45%\"},\n"
    " \"reason_text\":{"
    "\"months_in_business\":\"Short operating history\","
    "\"tax_credit_grade\":\"Tax credit grade\","
    "\"bureau_overdue_24m\":\"Overdue payments at the credit bureau\","
    "\"court_enforcements_24m\":\"Court enforcement records\","
    "\"electricity_kwh_trend\":\"Falling electricity use\","
    "\"ecommerce_return_rate\":\"High e-commerce return rate\","
    "\"social_insurance_headcount\":\"Few staff in social insurance\","
    "\"monthly_sales\":\"Low verified sales\","
    "\"invoice_sales_12m\":\"Low invoiced sales\","
    "\"tax_sales_12m\":\"Low sales declared for tax\","
    "\"industry\":\"Industry risk\","
    "\"customs_months_active\":\"Little customs activity\"}}\n";

const char *sp_synth_schema_json(void) { return schema_json; }
const char *sp_synth_rules_json(void) { return rules_json; }
const char *sp_synth_flow_json(void) { return flow_json; }
