#!/usr/bin/env bash
# The operations console end to end in headless Chromium (Debian's
# chromium and chromedriver, driven by python3-selenium): a loan officer
# signs in and submits an application; the page shows it referred with its
# score, rule, reason, limit, rate and score composition (tests/
# lib_flow.sh's hand-built flow: months_in_business 10 -> rule R02
# refers; 500 + 60 + 40 = 600 points; 3 x 48,000.00 = 144,000.00 at the
# 12% band); a risk manager finds it in the review queue and approves it
# with a note; a line is opened from it at 144,000.00; the portfolio shows
# one line and an approval rate of 100%. No JavaScript errors on the way.
# With SPARROW_SCREENSHOT=FILE the application and portfolio views are
# saved there (FILE and FILE with -portfolio before .png).
set -u
. "$(dirname "$0")/lib_serve.sh"
for tool in chromium chromedriver; do
  command -v $tool >/dev/null || { echo "cli_console: $tool not installed, skipped"; exit 0; }
done
$PY -c "import selenium" 2>/dev/null || { echo "cli_console: python3-selenium not installed, skipped"; exit 0; }
. "$(dirname "$0")/lib_flow.sh"
hand_flow "$dir"
start --flow "$dir/flow.json"
expect "borrower" 201 POST /v1/borrowers "$K_OFF" '{"id":"B1","name":"杭州小河贸易有限公司","kind":"enterprise","credit_code":"91330106MA27XY1231","legal_rep":"王小河","phone":"13812345678","industry":"wholesale_retail","region":"330106"}'
flow_sources B1

SHOT=${SPARROW_SCREENSHOT:-$dir/console.png}
$PY - "http://127.0.0.1:$port/" "$K_OFF" "$K_RISK" "$SHOT" <<'PY' && ok || bad "console journey"
import sys, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import StaleElementReferenceException

url, officer, risk, shot = sys.argv[1:5]
o = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1400,1000", "--lang=en-US"):
    o.add_argument(a)
o.binary_location = "/usr/bin/chromium"
o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
# a view that renders again replaces the element being read: look again
wait = WebDriverWait(d, 15, ignored_exceptions=(StaleElementReferenceException,))
text = lambda sel: d.find_element(By.CSS_SELECTOR, sel).text
def until(sel, want=None):
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, sel) and
               (want is None or want in d.find_element(By.CSS_SELECTOR, sel).text))
def sign_in(key):
    d.execute_script("sessionStorage.clear()")
    box = d.find_element(By.ID, "api-key")
    box.clear(); box.send_keys(key)
    d.find_element(By.ID, "key-save").click()
try:
    d.get(url)
    sign_in(officer)
    until("#key-role", "loan_officer")
    d.find_element(By.ID, "nav-apply").click()
    until("#apply-form")
    app_id = d.find_element(By.ID, "a-id")
    app_id.clear(); app_id.send_keys("W1")
    d.find_element(By.ID, "a-borrower").send_keys("B1")
    d.find_element(By.ID, "a-values").send_keys("months_in_business = 10\ngreen_rating = B\n")
    d.find_element(By.ID, "a-submit").click()
    until("#status", "referred")
    assert text("#score") == "600", text("#score")
    assert text("#limit") == "144000.00", text("#limit")
    assert text("#rate") == "12.00%", text("#rate")
    assert "R02" in text("#rules"), text("#rules")
    assert "Less than a year in business" in text("#reasons"), text("#reasons")
    comp = text("#composition")
    assert "months_in_business" in comp and "60" in comp and "under 24" in comp, comp
    assert "C1" in text("#sources") and "invoice" in text("#sources"), text("#sources")
    d.save_screenshot(shot)

    sign_in(risk)
    until("#key-role", "risk_manager")
    d.find_element(By.ID, "nav-reviews").click()
    until("#queue", "W1")
    d.find_element(By.LINK_TEXT, "W1").click()
    until("#review-note")
    d.find_element(By.ID, "review-note").send_keys("Orders from two long-standing buyers verified")
    d.find_element(By.ID, "review-approve").click()
    until("#status", "approved")
    assert "Orders from two long-standing buyers verified" in text("#review-note-shown")
    assert text("#engine") == "referred"

    sign_in(officer)
    until("#key-role", "loan_officer")
    d.get(url + "#/application/W1")
    until("#open-line")
    d.find_element(By.ID, "open-line").click()
    until("#l-limit", "144000.00")
    assert text("#l-available") == "144000.00", text("#l-available")

    d.find_element(By.ID, "nav-portfolio").click()
    until("#kpi-lines", "1")
    assert "100.0%" in text("#kpi-approval"), text("#kpi-approval")
    assert "1 applications: 1 approved" in text("#kpi-decisions"), text("#kpi-decisions")
    assert "M0" in text("#chart-buckets") and "正常" in text("#chart-classes")
    d.save_screenshot(shot.replace(".png", "-portfolio.png"))
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    print("console: referred, reviewed, approved, line opened, portfolio shown")
finally:
    d.quit()
PY
stop
echo "cli_console: $passes passed, $fails failed"
[ $fails -eq 0 ]
