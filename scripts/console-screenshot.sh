#!/usr/bin/env bash
# Screenshots of the console for docs/: `sparrow demo` (1,000 applicants,
# six months) served on a free port, then headless Chromium signed in as the
# risk manager takes the portfolio and the first referred application.
# usage: scripts/console-screenshot.sh [BUILD_DIR] [OUT_DIR]
set -eu
b=${1:-build} out=${2:-docs}
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
"$b/sparrow" demo --db "$dir/demo.db" --listen 127.0.0.1:0 >"$dir/out" 2>&1 &
pid=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$dir/out"; exit 1; }
key=$(sed -n 's/^  risk_manager *//p' "$dir/out")
/usr/bin/python3 - "http://127.0.0.1:$port/" "$key" "$out" <<'PY'
import sys
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
url, key, out = sys.argv[1:4]
o = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1400,900", "--hide-scrollbars"):
    o.add_argument(a)
o.binary_location = "/usr/bin/chromium"
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
wait = WebDriverWait(d, 30)
try:
    d.get(url)
    d.find_element(By.ID, "api-key").send_keys(key)
    d.find_element(By.ID, "key-save").click()
    wait.until(lambda _: d.find_elements(By.ID, "kpi-outstanding"))
    d.save_screenshot(out + "/console-portfolio.png")
    d.get(url + "#/reviews")
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#queue a"))
    d.find_element(By.CSS_SELECTOR, "#queue a").click()
    wait.until(lambda _: d.find_elements(By.ID, "composition"))
    d.save_screenshot(out + "/console-application.png")
finally:
    d.quit()
PY
echo "wrote $out/console-portfolio.png and $out/console-application.png"
